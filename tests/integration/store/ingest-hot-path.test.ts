import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LeaseKey, RenewalEvent, StoredLease } from '../../../lib/leases';
import { parseMicroTime } from '../../../lib/leases/micro-time';
import { writeBatch, type IngestBatch } from '../../../lib/store/ingest';
import { getLeaseOrThrow, listLeases } from '../../../lib/store/leases';
import { createMigratedDatabase, type MigratedDatabase } from '../helpers/database';

let db: MigratedDatabase;
let client: pg.Client;
let clusterId: number;

beforeAll(async () => {
  db = await createMigratedDatabase('ingest');
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const { rows } = await client.query<{ id: number }>(`INSERT INTO "Cluster" (name, source, "updatedAt") VALUES ('hot', 'simulated', now()) RETURNING id`);
  clusterId = rows[0]!.id;
});

afterAll(async () => {
  await client.end();
  await db.drop();
});

const keyOf = (name: string): LeaseKey => ({ cluster: 'hot', namespace: 'kube-system', name });

function stored(renewIso: string, observedAt: number): StoredLease {
  return {
    kind: 'election',
    uid: 'u-1',
    resourceVersion: '1',
    holderIdentity: 'cp-1_a',
    leaseDurationSeconds: 15,
    acquireTime: new Date('2026-11-24T10:00:00Z'),
    renewTime: new Date(parseMicroTime(renewIso)!.ms),
    leaseTransitions: 1,
    strategy: null,
    preferredHolder: null,
    labels: {},
    observedAt: new Date(observedAt),
    holderSince: new Date('2026-11-24T10:00:00Z'),
    lastCause: 'first',
    skewSuspectedMs: null,
    deletedAt: null,
  };
}

function renewal(iso: string, observedAt: number, intervalMs: number | null, lagMs: number | null): RenewalEvent {
  return { type: 'renewal', holder: 'cp-1_a', renewTime: parseMicroTime(iso)!, observedAt, intervalMs, lagMs };
}

function batch(parts: Partial<IngestBatch>): IngestBatch {
  return { cluster: 'hot', clusterId, leases: [], transitions: [], renewals: [], gaps: [], lastEventAt: null, lastSeenAt: Date.now(), resourceVersion: null, ...parts };
}

async function samples(name: string) {
  const { rows } = await client.query<{ renew: string; intervalMs: number | null; lagMs: number | null }>(
    `SELECT to_char(s."renewTime" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS renew, s."intervalMs", s."lagMs"
       FROM "RenewSample" s JOIN "Lease" l ON l.id = s."leaseId" WHERE l.name = $1 ORDER BY s."renewTime"`,
    [name],
  );
  return rows;
}

describe('the ingest hot path (binary COPY of renew samples)', () => {
  it('stores exactly what PostgreSQL would read from the text: microseconds, rounding, nulls and clamps', async () => {
    const key = keyOf('copy-values');
    const observedAt = Date.parse('2026-11-24T10:05:04.250Z');
    await writeBatch(client, batch({ leases: [{ key, stored: stored('2026-11-24T10:05:00.000001Z', observedAt), malformed: 0 }] }));
    const isos = ['2026-11-24T10:05:01.123456Z', '2026-11-24T10:05:02Z', '2026-11-24T10:05:02.5Z', '2026-11-24T10:05:03.1234565Z', '2026-11-24T10:05:03.9999996Z'];
    await writeBatch(
      client,
      batch({
        renewals: [
          { key, event: renewal(isos[0]!, observedAt, 2_000, 127) },
          { key, event: renewal(isos[1]!, observedAt, null, null) },
          { key, event: renewal(isos[2]!, observedAt, 10 ** 12, -(10 ** 12)) },
          { key, event: renewal(isos[3]!, observedAt, 1, 1) },
          { key, event: renewal(isos[4]!, observedAt, 1, 1) },
        ],
      }),
    );
    // What the same texts become when PostgreSQL parses them itself.
    const { rows: expected } = await client.query<{ renew: string }>(
      `SELECT to_char(t::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS renew FROM unnest($1::text[]) AS t ORDER BY t::timestamptz`,
      [isos],
    );
    const rows = await samples('copy-values');
    expect(rows.map((row) => row.renew)).toEqual(expected.map((row) => row.renew));
    expect(rows.map((row) => [row.intervalMs, row.lagMs])).toEqual([
      [2_000, 127],
      [null, null],
      [2_147_483_647, -2_147_483_647],
      [1, 1],
      [1, 1],
    ]);
  });

  it('files a renewal written by a clock ahead of ours at the moment we saw it, never in our future', async () => {
    const key = keyOf('ahead');
    const observedAt = Date.parse('2026-11-24T10:06:00.500Z');
    await writeBatch(client, batch({ leases: [{ key, stored: stored('2026-11-24T10:05:58Z', observedAt), malformed: 0 }] }));
    await writeBatch(client, batch({ renewals: [{ key, event: renewal('2036-01-01T00:00:00Z', observedAt, 2_000, -2_147_483_647) }] }));
    expect(await samples('ahead')).toEqual([{ renew: '2026-11-24T10:06:00.500000', intervalMs: 2_000, lagMs: -2_147_483_647 }]);
  });

  it('replayed renewals (a relist after a restart) are skipped, new ones in the same batch still stored', async () => {
    const key = keyOf('replayed');
    const at = Date.parse('2026-11-24T11:00:10Z');
    await writeBatch(client, batch({ leases: [{ key, stored: stored('2026-11-24T11:00:00Z', at), malformed: 0 }] }));
    const first = renewal('2026-11-24T11:00:02.000001Z', at, 2_000, 5);
    expect((await writeBatch(client, batch({ renewals: [{ key, event: first }] }))).renewals).toBe(1);
    // The whole batch again, plus one new renewal: the COPY fails on the key and the batch is retried idempotently.
    const second = renewal('2026-11-24T11:00:04.000002Z', at, 2_000, 6);
    const result = await writeBatch(client, batch({ renewals: [{ key, event: first }, { key, event: second }] }));
    expect(result.renewals).toBe(1);
    expect((await samples('replayed')).map((row) => row.renew)).toEqual(['2026-11-24T11:00:02.000001', '2026-11-24T11:00:04.000002']);
    // Nothing of the failed COPY is left behind: the transaction committed the rest normally.
    const { rows } = await client.query(`SELECT "lastSeenAt" FROM "Cluster" WHERE id = $1`, [clusterId]);
    expect(rows[0].lastSeenAt).not.toBeNull();
  });

  it('uses the lease ids it is given and looks up only the ones it is not', async () => {
    const key = keyOf('known-id');
    const at = Date.parse('2026-11-24T12:00:00Z');
    const { leaseIds } = await writeBatch(client, batch({ leases: [{ key, stored: stored('2026-11-24T11:59:58Z', at), malformed: 0 }] }));
    const id = leaseIds.get('kube-system/known-id');
    expect(id).toBeTypeOf('number');
    const result = await writeBatch(client, batch({ renewals: [{ key, event: renewal('2026-11-24T12:00:00Z', at, 2_000, 0), leaseId: id }] }));
    expect(result.leaseIds.size).toBe(0);
    const looked = await writeBatch(client, batch({ renewals: [{ key, event: renewal('2026-11-24T12:00:02Z', at + 2_000, 2_000, 0) }] }));
    expect(looked.leaseIds.get('kube-system/known-id')).toBe(id);
  });

  it('a renewal alone leaves the lease row as it was; readers take the newest sample', async () => {
    const key = keyOf('renew-only');
    const at = Date.parse('2026-11-24T13:00:00Z');
    await writeBatch(client, batch({ leases: [{ key, stored: stored('2026-11-24T13:00:00Z', at), malformed: 0 }] }));
    const { rows: before } = await client.query(`SELECT "updatedAt" FROM "Lease" WHERE name = 'renew-only'`);
    await writeBatch(client, batch({ renewals: [{ key, event: renewal('2026-11-24T13:00:02.500000Z', at + 2_600, 2_500, 100) }] }));
    const { rows: after } = await client.query(`SELECT "updatedAt", "renewTime" FROM "Lease" WHERE name = 'renew-only'`);
    expect(after[0].updatedAt).toEqual(before[0].updatedAt);
    expect(after[0].renewTime).toEqual(new Date('2026-11-24T13:00:00Z'));

    const lease = await getLeaseOrThrow(db.store, key);
    expect(lease.renewTime).toEqual(new Date('2026-11-24T13:00:02.500Z'));
    expect(lease.observedAt).toEqual(new Date(at + 2_600));
    const listed = (await listLeases(db.store, { cluster: 'hot', limit: 100 })).leases.find((l) => l.name === 'renew-only');
    expect(listed?.renewTime).toEqual(new Date('2026-11-24T13:00:02.500Z'));
  });

  it('deleting leases, or their cluster, deletes their samples (the trigger that replaces the foreign key)', async () => {
    const { rows: other } = await client.query<{ id: number }>(`INSERT INTO "Cluster" (name, source, "updatedAt") VALUES ('doomed', 'simulated', now()) RETURNING id`);
    const doomed = { cluster: 'doomed', namespace: 'kube-system', name: 'gone' };
    const at = Date.parse('2026-11-24T14:00:00Z');
    const doomedBatch = (parts: Partial<IngestBatch>) => ({ ...batch(parts), cluster: 'doomed', clusterId: other[0]!.id });
    await writeBatch(client, doomedBatch({ leases: [{ key: doomed, stored: stored('2026-11-24T14:00:00Z', at), malformed: 0 }] }));
    await writeBatch(client, doomedBatch({ renewals: [{ key: doomed, event: renewal('2026-11-24T14:00:02Z', at + 2_000, 2_000, 0) }] }));
    const count = async () => Number((await client.query(`SELECT count(*) AS n FROM "RenewSample"`)).rows[0].n);
    const total = await count();
    await client.query(`DELETE FROM "Cluster" WHERE name = 'doomed'`);
    expect(await count()).toBe(total - 1);

    const keep = await count();
    await client.query(`DELETE FROM "Lease" WHERE name = 'replayed'`);
    expect(await count()).toBe(keep - 2);
  });
});
