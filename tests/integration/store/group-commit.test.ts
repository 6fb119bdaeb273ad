import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LeaseKey, RenewalEvent, StoredLease } from '../../../lib/leases';
import { parseMicroTime } from '../../../lib/leases/micro-time';
import { loggerFor } from '../../../lib/log';
import type { IngestBatch } from '../../../lib/store/ingest';
import { writeBatchIsolating, type StoreOutcome } from '../../../lib/store/isolating-writer';
import { ensureCluster, LockLostError, maxGroupMembers, OwnerSession } from '../../../lib/store/owner-session';
import { createMigratedDatabase, type MigratedDatabase } from '../helpers/database';
import { query } from '../controller/support';

let db: MigratedDatabase;
let session: OwnerSession;
const clusterIds = new Map<string, number>();

beforeAll(async () => {
  db = await createMigratedDatabase('group_commit');
  session = new OwnerSession({ databaseUrl: db.url, log: loggerFor('group-commit-test'), applicationName: 'group-commit-test' });
  for (const name of ['alpha', 'beta', 'gamma']) {
    expect(await session.tryAcquire(name)).toBe(true);
    clusterIds.set(name, (await ensureCluster(session, { name, source: 'simulated', server: 'http://127.0.0.1', owner: 'test' })).id);
  }
});

afterAll(async () => {
  await session.close();
  await db.drop();
});

function stored(holder: string, renewIso: string): StoredLease {
  return {
    kind: 'election',
    uid: `u-${holder.length}`,
    resourceVersion: '1',
    holderIdentity: holder,
    leaseDurationSeconds: 15,
    acquireTime: new Date('2026-12-07T03:00:00Z'),
    renewTime: new Date(parseMicroTime(renewIso)!.ms),
    leaseTransitions: 1,
    strategy: null,
    preferredHolder: null,
    labels: {},
    observedAt: new Date(parseMicroTime(renewIso)!.ms),
    holderSince: new Date('2026-12-07T03:00:00Z'),
    lastCause: 'first',
    skewSuspectedMs: null,
    deletedAt: null,
  };
}

function renewal(holder: string, iso: string): RenewalEvent {
  return { type: 'renewal', holder, renewTime: parseMicroTime(iso)!, observedAt: parseMicroTime(iso)!.ms + 3, intervalMs: 2_000, lagMs: 3 };
}

// Two leases of one cluster, one of them (in `bad`) with a holder PostgreSQL refuses (a NUL byte).
function batchOf(cluster: string, bad: boolean): IngestBatch {
  const key = (name: string): LeaseKey => ({ cluster, namespace: 'kube-system', name });
  const holder = (name: string) => (bad && name === 'hostile' ? 'evil\u0000holder' : `${name}-0_a`);
  const names = ['scheduler', 'hostile'];
  return {
    cluster,
    clusterId: clusterIds.get(cluster)!,
    leases: names.map((name) => ({ key: key(name), stored: stored(holder(name), '2026-12-07T03:00:02.000001Z'), malformed: 0 })),
    transitions: [],
    renewals: names.map((name) => ({ key: key(name), event: renewal(holder(name), '2026-12-07T03:00:02.000001Z') })),
    gaps: [],
    lastEventAt: Date.parse('2026-12-07T03:00:02Z'),
    lastSeenAt: Date.parse('2026-12-07T03:00:02Z'),
    resourceVersion: '42',
  };
}

describe('group commit across the clusters of one owner session', () => {
  it('writes every cluster ready at once in one transaction; a bad lease is still quarantined alone', async () => {
    const transactions = new Map<string, string>();
    const write = (cluster: string, bad: boolean) =>
      session.writeInGroup(cluster, async (client, savepoint) => {
        transactions.set(cluster, (await client.query<{ txid: string }>('SELECT txid_current()::text AS txid')).rows[0]!.txid);
        return writeBatchIsolating(client, batchOf(cluster, bad), { within: savepoint });
      });
    const outcomes: StoreOutcome[] = await Promise.all([write('alpha', false), write('beta', true), write('gamma', false)]);

    expect(new Set(transactions.values()).size).toBe(1);
    expect(outcomes.map((outcome) => outcome.quarantined.map((q) => q.key))).toEqual([[], ['kube-system/hostile'], []]);
    const rows = await query<{ cluster: string; name: string; samples: number }>(
      db.url,
      `SELECT c.name AS cluster, l.name, (SELECT count(*)::int FROM "RenewSample" s WHERE s."leaseId" = l.id) AS samples
         FROM "Lease" l JOIN "Cluster" c ON c.id = l."clusterId" ORDER BY c.name, l.name`,
    );
    expect(rows).toEqual([
      { cluster: 'alpha', name: 'hostile', samples: 1 },
      { cluster: 'alpha', name: 'scheduler', samples: 1 },
      { cluster: 'beta', name: 'scheduler', samples: 1 },
      { cluster: 'gamma', name: 'hostile', samples: 1 },
      { cluster: 'gamma', name: 'scheduler', samples: 1 },
    ]);
  });

  it('fails only the member whose work fails, and a cluster whose lock is gone, never the rest of the group', async () => {
    await session.release('gamma');
    const results = await Promise.allSettled([
      session.writeInGroup('alpha', async (client) => (await client.query(`UPDATE "Cluster" SET "resourceVersion" = '43' WHERE name = 'alpha'`)).rowCount),
      session.writeInGroup('beta', async (client) => client.query('SELECT 1/0')),
      session.writeInGroup('gamma', async (client) => client.query(`UPDATE "Cluster" SET "resourceVersion" = '43' WHERE name = 'gamma'`)),
    ]);
    expect(results[0]).toEqual({ status: 'fulfilled', value: 1 });
    expect(results[1]).toMatchObject({ status: 'rejected', reason: { code: '22012' } });
    expect(results[2]).toMatchObject({ status: 'rejected' });
    expect((results[2] as PromiseRejectedResult).reason).toBeInstanceOf(LockLostError);
    expect(await query(db.url, `SELECT name, "resourceVersion" FROM "Cluster" ORDER BY name`)).toEqual([
      { name: 'alpha', resourceVersion: '43' },
      { name: 'beta', resourceVersion: '42' },
      { name: 'gamma', resourceVersion: '42' },
    ]);
  });

  it('takes one subtransaction per member, none more, also when a batch is already stored', async () => {
    for (const name of ['delta', 'epsilon', 'zeta']) {
      expect(await session.tryAcquire(name)).toBe(true);
      clusterIds.set(name, (await ensureCluster(session, { name, source: 'simulated', server: 'http://127.0.0.1', owner: 'test' })).id);
    }
    const write = (cluster: string) => session.writeInGroup(cluster, (client, savepoint) => writeBatchIsolating(client, batchOf(cluster, false), { within: savepoint }));
    // PostgreSQL's own count of this backend's subtransactions with an XID, read by a last member that writes nothing.
    const countSubtransactions = () =>
      session.writeInGroup('delta', async (client) => {
        await client.query('SELECT pg_stat_clear_snapshot()');
        const { rows } = await client.query<{ count: number; overflowed: boolean }>(
          `SELECT s.subxact_count::int AS count, s.subxact_overflowed AS overflowed
             FROM pg_stat_get_backend_idset() AS b(id), pg_stat_get_backend_subxact(b.id) AS s
            WHERE pg_stat_get_backend_pid(b.id) = pg_backend_pid()`,
        );
        return rows[0]!;
      });
    const [first, second, third, counted] = await Promise.all([write('delta'), write('epsilon'), write('zeta'), countSubtransactions()]);
    expect([first, second, third].map((outcome) => outcome.renewals)).toEqual([2, 2, 2]);
    expect(counted).toEqual({ count: 3, overflowed: false });

    // delta's batch again: its COPY meets stored samples and the batch is redone the idempotent way at the same savepoint.
    const [deltaAgain, epsilonAgain, recounted] = await Promise.all([write('delta'), write('epsilon'), countSubtransactions()]);
    expect(deltaAgain).toMatchObject({ renewals: 0, quarantined: [] });
    expect(epsilonAgain).toMatchObject({ renewals: 0, quarantined: [] });
    expect(recounted.count).toBeLessThanOrEqual(2);
    expect(recounted.overflowed).toBe(false);
    const samples = await query<{ count: number }>(db.url, `SELECT count(*)::int AS count FROM "RenewSample" s JOIN "Lease" l ON l.id = s."leaseId" WHERE l."clusterId" = $1`, [clusterIds.get('delta')]);
    expect(samples).toEqual([{ count: 2 }]);
  });

  it('caps a group at maxGroupMembers clusters; the rest commit in the next transaction', async () => {
    const names = Array.from({ length: maxGroupMembers + 4 }, (_, index) => `capped-${index}`);
    for (const name of names) expect(await session.tryAcquire(name)).toBe(true);
    const transactions = await Promise.all(
      names.map((name) => session.writeInGroup(name, async (client) => (await client.query<{ txid: string }>('SELECT txid_current()::text AS txid')).rows[0]!.txid)),
    );
    expect(new Set(transactions.slice(0, maxGroupMembers)).size).toBe(1);
    expect(new Set(transactions.slice(maxGroupMembers)).size).toBe(1);
    expect(transactions[maxGroupMembers]).not.toBe(transactions[0]);
  });
});
