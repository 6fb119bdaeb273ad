import { afterEach, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../../lib/sim';
import { createMigratedDatabase, type MigratedDatabase } from '../helpers/database';
import { fastProfile, query, startController, storedTransitions, targetsOf, waitFor } from './support';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

const leaseKey = `${fastProfile.namespace}/${fastProfile.leaseName}`;

async function setUp(seed: number): Promise<{ fleet: Fleet; db: MigratedDatabase; leader: string }> {
  const db = await createMigratedDatabase('chaos');
  cleanups.push(db.drop);
  const fleet = await startFleet({ clusters: ['alpha'], leases: [fastProfile], candidates: 3, seed, restartDelayMs: 300 });
  cleanups.push(() => fleet.stop());
  const controller = startController(db.url, targetsOf(fleet));
  cleanups.push(() => controller.stop());
  const leader = await waitFor('a first leader', async () => fleet.leaderOf('alpha', leaseKey));
  await waitFor('the first leader stored', async () => (await storedTransitions(db.url, 'alpha', fastProfile.leaseName)).some((t) => t.toHolder === leader));
  return { fleet, db, leader };
}

const acquisitionsOf = (fleet: Fleet) => fleet.groundTruth.changes({ cluster: 'alpha', name: fastProfile.leaseName }).filter((c) => c.cause !== 'released');

async function expectStoredMatchesTruth(fleet: Fleet, db: MigratedDatabase, atLeast: number): Promise<void> {
  const truth = await waitFor('the fleet’s takeovers', async () => (acquisitionsOf(fleet).length >= atLeast ? acquisitionsOf(fleet) : undefined));
  const stored = await waitFor('every takeover stored', async () => {
    const rows = (await storedTransitions(db.url, 'alpha', fastProfile.leaseName)).filter((t) => t.kind === 'acquired');
    return rows.length >= truth.length ? rows : undefined;
  });
  expect(stored.map((t) => [t.toHolder, t.leaseTransitions])).toEqual(truth.map((c) => [c.to, c.leaseTransitions]));
}

describe('chaos in a simulated cluster', () => {
  it('a leader paused beyond its lease duration is replaced by an expiry takeover', async () => {
    const { fleet, db } = await setUp(21);
    await fleet.pauseLeader('alpha', leaseKey, { durationMs: 4_000 });
    await expectStoredMatchesTruth(fleet, db, 2);
    const rows = (await storedTransitions(db.url, 'alpha', fastProfile.leaseName)).filter((t) => t.kind === 'acquired');
    expect(rows[1]?.cause).toBe('expiry');
  });

  it('a leader whose clock runs ahead is flagged with suspected skew', async () => {
    const { fleet, db, leader } = await setUp(22);
    await fleet.skewClock('alpha', leaseKey, 5_000);
    const [row] = await waitFor('skew suspected', async () => {
      const rows = await query<{ skewSuspectedMs: number | null; holderIdentity: string }>(db.url, `SELECT "skewSuspectedMs", "holderIdentity" FROM "Lease" WHERE name = $1`, [fastProfile.leaseName]);
      return rows[0]?.skewSuspectedMs ? rows : undefined;
    });
    expect(row?.holderIdentity).toBe(leader);
    expect(row?.skewSuspectedMs).toBeGreaterThan(4_000);
    expect(row?.skewSuspectedMs).toBeLessThan(6_000);
  });

  it('an API server restart drops the watch; the controller resumes and misses nothing', async () => {
    const { fleet, db } = await setUp(23);
    await fleet.restartApiServer('alpha', { downtimeMs: 300 });
    await waitFor('the cluster connected again', async () => (await query<{ state: string }>(db.url, `SELECT state::text FROM "Cluster"`))[0]?.state === 'connected');
    await fleet.crashLeader('alpha', leaseKey);
    await expectStoredMatchesTruth(fleet, db, 2);
    const rows = (await storedTransitions(db.url, 'alpha', fastProfile.leaseName)).filter((t) => t.kind === 'acquired');
    expect(rows.every((t) => t.missedCount === 0)).toBe(true);
  });
});
