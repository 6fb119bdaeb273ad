import { afterEach, describe, expect, it } from 'vitest';
import type { Controller } from '../../../lib/kube/controller';
import { startFleet, type Fleet } from '../../../lib/sim';
import { createMigratedDatabase, type MigratedDatabase } from '../helpers/database';
import { fastProfile, query, startController, storedTransitions, targetsOf, waitFor } from './support';

let fleet: Fleet | undefined;
let controller: Controller | undefined;
let db: MigratedDatabase | undefined;

afterEach(async () => {
  await controller?.stop();
  await fleet?.stop();
  await db?.drop();
  controller = fleet = db = undefined;
});

const lease = { namespace: fastProfile.namespace, name: fastProfile.leaseName };

async function setUp(): Promise<{ fleet: Fleet; db: MigratedDatabase }> {
  db = await createMigratedDatabase('failover');
  fleet = await startFleet({ clusters: ['alpha'], leases: [fastProfile], candidates: 3, seed: 7, restartDelayMs: null });
  controller = startController(db.url, targetsOf(fleet));
  const first = await waitFor('a first leader', async () => fleet!.leaderOf('alpha', `${lease.namespace}/${lease.name}`));
  await waitFor('the first leader stored', async () => (await storedTransitions(db!.url, 'alpha', lease.name)).find((t) => t.kind === 'acquired' && t.toHolder === first));
  return { fleet, db };
}

function groundTruthAcquisitions(fleet: Fleet) {
  return fleet.groundTruth.changes({ cluster: 'alpha', ...lease }).filter((change) => change.cause !== 'released');
}

describe('the controller against a simulated cluster', () => {
  it('records a crash as an acquisition after expiry, with the new holder and transitions count', async () => {
    const { fleet, db } = await setUp();
    const crashed = await fleet.crashLeader('alpha', `${lease.namespace}/${lease.name}`);
    expect(crashed).toBeTruthy();

    const truth = await waitFor('a takeover in the fleet', async () => {
      const changes = groundTruthAcquisitions(fleet);
      return changes.length >= 2 ? changes : undefined;
    });
    const stored = await waitFor('the takeover stored', async () => {
      const rows = (await storedTransitions(db.url, 'alpha', lease.name)).filter((t) => t.kind === 'acquired');
      return rows.length >= 2 ? rows : undefined;
    });
    expect(stored.map((t) => [t.fromHolder, t.toHolder, t.leaseTransitions])).toEqual(truth.slice(0, 2).map((c) => [c.from || null, c.to, c.leaseTransitions]));
    expect(stored[1]?.cause).toBe('expiry');

    const [row] = await query<{ holderIdentity: string; transitionCount: number }>(db.url, `SELECT "holderIdentity", "transitionCount" FROM "Lease" WHERE name = $1`, [lease.name]);
    expect(row?.holderIdentity).toBe(truth[1]?.to);
  });

  it('records a graceful stop as a release followed by an acquisition caused by it', async () => {
    const { fleet, db } = await setUp();
    await fleet.stopLeader('alpha', `${lease.namespace}/${lease.name}`, { release: true });
    const rows = await waitFor('release and takeover stored', async () => {
      const all = await storedTransitions(db.url, 'alpha', lease.name);
      const released = all.findIndex((t) => t.kind === 'released');
      return released >= 0 && all.slice(released).some((t) => t.kind === 'acquired') ? all : undefined;
    });
    const released = rows.find((t) => t.kind === 'released');
    const after = rows.slice(rows.indexOf(released!)).find((t) => t.kind === 'acquired');
    expect(released?.toHolder).toBeNull();
    expect(after?.cause).toBe('release');
    expect(after?.toHolder).toBe(groundTruthAcquisitions(fleet).at(-1)?.to);
  });

  it('stores renewals with their interval and lag', async () => {
    const { db } = await setUp();
    const samples = await waitFor('renew samples', async () => {
      const rows = await query<{ intervalMs: number | null; lagMs: number | null }>(db.url, `SELECT "intervalMs", "lagMs" FROM "RenewSample" ORDER BY "renewTime"`);
      return rows.filter((r) => r.intervalMs !== null).length >= 5 ? rows : undefined;
    });
    const intervals = samples.map((s) => s.intervalMs).filter((v): v is number => v !== null);
    for (const interval of intervals) {
      expect(interval).toBeGreaterThanOrEqual(100);
      expect(interval).toBeLessThan(fastProfile.renewDeadlineMs);
    }
    // A renewal first seen in a list has no meaningful lag; every one seen on the watch has.
    const watched = samples.filter((s) => s.intervalMs !== null);
    expect(watched.map((s) => s.lagMs)).toEqual(watched.map(() => expect.any(Number)));
    for (const sample of watched) expect(sample.lagMs).toBeGreaterThanOrEqual(-1);
    for (const sample of watched) expect(sample.lagMs).toBeLessThan(1_000);
  });
});
