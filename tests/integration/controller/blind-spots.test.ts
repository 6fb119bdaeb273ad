import { afterEach, describe, expect, it } from 'vitest';
import { createKubeConfig, startFleet } from '../../../lib/sim';
import { createMigratedDatabase } from '../helpers/database';
import { startPartitionProxy } from '../helpers/partition-proxy';
import { fastProfile, query, startController, storedTransitions, waitFor } from './support';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

const leaseKey = `${fastProfile.namespace}/${fastProfile.leaseName}`;


describe('a watch that was blind while history was compacted', () => {
  it('counts the transitions it could not see as missed and stores the blind period as a gap', { timeout: 60_000 }, async () => {
    const db = await createMigratedDatabase('blind');
    cleanups.push(db.drop);
    const fleet = await startFleet({ clusters: ['alpha'], leases: [fastProfile], candidates: 3, seed: 5, restartDelayMs: 300 });
    cleanups.push(() => fleet.stop());
    const proxy = await startPartitionProxy(fleet.cluster('alpha').url);
    cleanups.push(proxy.close);
    const controller = startController(db.url, [{ name: 'alpha', source: 'simulated', server: proxy.url, kubeConfig: createKubeConfig({ name: 'alpha', url: proxy.url }) }]);
    cleanups.push(() => controller.stop());

    const first = await waitFor('a first leader', async () => fleet.leaderOf('alpha', leaseKey));
    await waitFor('the first leader stored', async () => (await storedTransitions(db.url, 'alpha', fastProfile.leaseName)).some((t) => t.toHolder === first));

    const partitionedAt = Date.now();
    proxy.partition();
    const acquisitions = () => fleet.groundTruth.changes({ cluster: 'alpha', name: fastProfile.leaseName }).filter((c) => c.cause !== 'released');
    const before = acquisitions().length;
    await fleet.crashLeader('alpha', leaseKey);
    await waitFor('a takeover while blind', async () => acquisitions().length >= before + 1);
    await fleet.crashLeader('alpha', leaseKey);
    await waitFor('a second takeover while blind', async () => acquisitions().length >= before + 2);
    await fleet.compactHistory('alpha');
    proxy.heal();
    const healedAt = Date.now();

    const truth = acquisitions();
    const latest = truth.at(-1)!;
    const stored = await waitFor('the current holder stored after the relist', async () => {
      const rows = await storedTransitions(db.url, 'alpha', fastProfile.leaseName);
      return rows.some((t) => t.kind === 'acquired' && t.toHolder === latest.to) ? rows : undefined;
    });
    const acquired = stored.filter((t) => t.kind === 'acquired');
    const afterBlind = acquired.at(-1)!;
    expect(afterBlind.cause).toBe('unknown');
    expect(afterBlind.leaseTransitions).toBe(latest.leaseTransitions);
    expect(afterBlind.missedCount).toBe(latest.leaseTransitions - acquired.at(-2)!.leaseTransitions! - 1);
    expect(afterBlind.missedCount).toBeGreaterThanOrEqual(1);
    // A holder that led only while we were blind is counted, never invented as a transition.
    const invisible = truth.slice(before, -1).map((c) => c.to).filter((holder) => holder !== latest.to);
    expect(invisible.length).toBeGreaterThanOrEqual(1);
    for (const holder of invisible) expect(acquired.map((t) => t.toHolder)).not.toContain(holder);

    const gaps = await query<{ startedAt: Date; endedAt: Date | null; reason: string; detail: string | null }>(db.url, `SELECT "startedAt", "endedAt", reason::text, detail FROM "ObservationGap"`);
    expect(gaps).toHaveLength(1);
    // The expiry that fell due during the partition could not be confirmed: the gap opened then, not at the 410.
    expect(gaps[0]?.reason).toBe('watch_lost');
    expect(gaps[0]?.detail).toMatch(/could not read the cluster/);
    // The gap starts at the last contact: an event in flight when the partition began may still arrive.
    expect(gaps[0]!.startedAt.getTime()).toBeLessThanOrEqual(partitionedAt + 250);
    expect(gaps[0]!.endedAt!.getTime()).toBeGreaterThanOrEqual(healedAt);
  });
});

describe('a watch that stalls silently', () => {
  it('is replaced by the watchdog, and the resumed watch delivers what happened meanwhile', { timeout: 60_000 }, async () => {
    const db = await createMigratedDatabase('stall');
    cleanups.push(db.drop);
    const fleet = await startFleet({ clusters: ['alpha'], leases: [fastProfile], candidates: 3, seed: 6, restartDelayMs: 300 });
    cleanups.push(() => fleet.stop());
    const proxy = await startPartitionProxy(fleet.cluster('alpha').url);
    cleanups.push(proxy.close);
    const controller = startController(db.url, [{ name: 'alpha', source: 'simulated', server: proxy.url, kubeConfig: createKubeConfig({ name: 'alpha', url: proxy.url }) }], {});
    cleanups.push(() => controller.stop());

    const first = await waitFor('a first leader', async () => fleet.leaderOf('alpha', leaseKey));
    await waitFor('the first leader stored', async () => (await storedTransitions(db.url, 'alpha', fastProfile.leaseName)).some((t) => t.toHolder === first));

    // The connection stays open and carries nothing: only a watchdog notices. client-node's own
    // inactivity timer (30 s) would outlast this test.
    proxy.freeze();
    await fleet.crashLeader('alpha', leaseKey);
    const latest = await waitFor('a takeover during the stall', async () =>
      fleet.groundTruth.changes({ cluster: 'alpha', name: fastProfile.leaseName }).find((c) => c.cause !== 'released' && c.from === first),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    proxy.heal();

    const rows = await waitFor('the takeover stored', async () => {
      const all = await storedTransitions(db.url, 'alpha', fastProfile.leaseName);
      return all.some((t) => t.toHolder === latest.to) ? all : undefined;
    }, 10_000);
    const takeover = rows.find((t) => t.toHolder === latest.to)!;
    expect(takeover.cause).toBe('expiry');
    expect(takeover.missedCount).toBe(0);
    expect(await query(db.url, `SELECT * FROM "ObservationGap"`)).toEqual([]);
  });
});
