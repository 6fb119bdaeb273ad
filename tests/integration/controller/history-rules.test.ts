import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertEngine } from '../../../lib/server/alerts/engine';
import { loggerFor } from '../../../lib/log';
import { createKubeConfig, startFleet, type Fleet } from '../../../lib/sim';
import type { ElectionProfile } from '../../../lib/sim/profiles';
import { createMigratedDatabase } from '../helpers/database';
import { startPartitionProxy } from '../helpers/partition-proxy';
import { fastProfile, query, startController, storedTransitions, targetsOf, waitFor } from './support';
import { seenAtOf } from '../../../lib/store/renew-sample-sql';

// The rules of the history (issue 14) against the simulated fleet, over real HTTP, with the real
// controller and PostgreSQL: what Leasetrail stores must never say what did not happen.

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

const leaseKey = `${fastProfile.namespace}/${fastProfile.leaseName}`;


async function behindProxy(fleet: Fleet, dbUrl: string) {
  const proxy = await startPartitionProxy(fleet.cluster('alpha').url);
  cleanups.push(proxy.close);
  const controller = startController(dbUrl, [{ name: 'alpha', source: 'simulated', server: proxy.url, kubeConfig: createKubeConfig({ name: 'alpha', url: proxy.url }) }]);
  cleanups.push(() => controller.stop());
  return proxy;
}

type GapRow = { startedAt: Date; endedAt: Date | null; reason: string; detail: string | null };
const gapsOf = (url: string) => query<GapRow>(url, `SELECT "startedAt", "endedAt", reason::text, detail FROM "ObservationGap" ORDER BY "startedAt"`);

describe('a watch held up across the expiry moment of a healthy leader', () => {
  it('stores a gap and no leaderless period, and a leaderless alert never fires for it', { timeout: 60_000 }, async () => {
    const db = await createMigratedDatabase('held_up');
    cleanups.push(db.drop);
    const fleet = await startFleet({ clusters: ['alpha'], leases: [fastProfile], candidates: 2, seed: 11, restartDelayMs: 300 });
    cleanups.push(() => fleet.stop());
    const proxy = await behindProxy(fleet, db.url);
    const leader = await waitFor('a first leader', async () => fleet.leaderOf('alpha', leaseKey));
    await waitFor('the leader stored', async () => (await storedTransitions(db.url, 'alpha', fastProfile.leaseName)).some((t) => t.toHolder === leader));
    const rule = await db.store.prisma.alertRule.create({ data: { name: 'no leader', kind: 'leaderless', params: { seconds: 0 }, forSeconds: 0, quietSeconds: 0 } });

    const partitionedAt = Date.now();
    proxy.partition();
    // The expiry of the last renewal we saw falls due and cannot be confirmed: the gap is stored open.
    await waitFor('the gap opened while partitioned', async () => (await query(db.url, `SELECT 1 FROM "ObservationGap" WHERE "endedAt" IS NULL`)).length > 0);
    proxy.heal();
    const healedAt = Date.now();
    const gaps = await waitFor('the gap closed by the relist', async () => {
      const rows = await gapsOf(db.url);
      return rows.length > 0 && rows.every((gap) => gap.endedAt !== null) ? rows : undefined;
    });
    await waitFor('renewals after the relist', async () => (await query(db.url, `SELECT 1 FROM "RenewSample" WHERE ${seenAtOf()} > $1`, [new Date(healedAt)])).length > 0);

    expect(fleet.leaderOf('alpha', leaseKey)).toBe(leader);
    expect(gaps).toHaveLength(1);
    expect(gaps[0]).toMatchObject({ reason: 'watch_lost', detail: expect.stringMatching(/could not read the cluster/) });
    // The gap starts at the last contact: an event in flight when the partition began may still arrive.
    expect(gaps[0]!.startedAt.getTime()).toBeLessThanOrEqual(partitionedAt + 250);
    expect(gaps[0]!.endedAt!.getTime()).toBeGreaterThanOrEqual(healedAt);
    const transitions = await storedTransitions(db.url, 'alpha', fastProfile.leaseName);
    expect(transitions.map((t) => t.kind)).toEqual(['acquired']);

    const engine = new AlertEngine({ store: db.store, log: loggerFor('alerts-test'), delivery: false });
    cleanups.push(() => engine.stop());
    await engine.evaluate(['leaderless'], Date.now());
    expect(await db.store.prisma.alert.findMany({ where: { ruleId: rule.id } })).toEqual([]);
  });
});

describe('two releases during a blind spot', () => {
  it('are stored as one acquisition from the last known holder, with one missed change', { timeout: 60_000 }, async () => {
    const db = await createMigratedDatabase('two_releases');
    cleanups.push(db.drop);
    const fleet = await startFleet({ clusters: ['alpha'], leases: [fastProfile], candidates: 3, seed: 12, restartDelayMs: null });
    cleanups.push(() => fleet.stop());
    const proxy = await behindProxy(fleet, db.url);
    const first = await waitFor('a first leader', async () => fleet.leaderOf('alpha', leaseKey));
    await waitFor('the leader stored', async () => (await storedTransitions(db.url, 'alpha', fastProfile.leaseName)).some((t) => t.toHolder === first));

    proxy.partition();
    const changes = () => fleet.groundTruth.changes({ cluster: 'alpha', name: fastProfile.leaseName });
    for (let release = 1; release <= 2; release += 1) {
      const before = changes().filter((c) => c.cause !== 'released').length;
      await fleet.stopLeader('alpha', leaseKey, { release: true, restartAfterMs: null });
      await waitFor(`a takeover after release ${release}`, async () => changes().filter((c) => c.cause !== 'released').length > before);
    }
    await fleet.compactHistory('alpha');
    proxy.heal();
    const last = changes().at(-1)!;
    const stored = await waitFor('the holder after the blind spot', async () => {
      const rows = await storedTransitions(db.url, 'alpha', fastProfile.leaseName);
      return rows.some((t) => t.toHolder === last.to) ? rows : undefined;
    });
    expect(stored.map((t) => t.kind)).toEqual(['acquired', 'acquired']);
    expect(stored[1]).toMatchObject({ kind: 'acquired', cause: 'unknown', fromHolder: first, toHolder: last.to, missedCount: 1, leaseTransitions: last.leaseTransitions });
  });
});

describe('a holder whose clock runs 5 s ahead', () => {
  it('acquiring after a release is stored with the leaderless gap our clock saw, and as a skew episode', { timeout: 60_000 }, async () => {
    const db = await createMigratedDatabase('ahead');
    cleanups.push(db.drop);
    const fleet = await startFleet({ clusters: ['alpha'], leases: [fastProfile], candidates: 2, seed: 13, restartDelayMs: null });
    cleanups.push(() => fleet.stop());
    const controller = startController(db.url, targetsOf(fleet));
    cleanups.push(() => controller.stop());
    const first = await waitFor('a first leader', async () => fleet.leaderOf('alpha', leaseKey));
    await waitFor('the leader stored', async () => (await storedTransitions(db.url, 'alpha', fastProfile.leaseName)).some((t) => t.toHolder === first));
    const other = fleet.candidates({ cluster: 'alpha', lease: leaseKey }).find((candidate) => candidate.identity !== first)!;
    await fleet.skewClock('alpha', leaseKey, 5_000, { host: other.host });

    await fleet.stopLeader('alpha', leaseKey, { release: true, restartAfterMs: null });
    const truth = () => fleet.groundTruth.changes({ cluster: 'alpha', name: fastProfile.leaseName });
    const acquired = await waitFor('the takeover', async () => truth().find((c) => c.cause === 'after-release'));
    const released = truth().find((c) => c.cause === 'released' && c.from === first)!;
    const rows = await waitFor('the takeover stored', async () =>
      query<{ at: Date; leaderlessMs: number | null; cause: string }>(db.url, `SELECT at, "leaderlessMs", cause::text FROM "Transition" WHERE "toHolder" = $1`, [acquired.to]).then((r) => (r.length > 0 ? r : undefined)),
    );
    const trueGapMs = acquired.at - released.at;
    expect(rows[0]!.cause).toBe('release');
    expect(Math.abs(rows[0]!.leaderlessMs! - trueGapMs)).toBeLessThanOrEqual(300);
    expect(Math.abs(rows[0]!.at.getTime() - acquired.at)).toBeLessThanOrEqual(300);
    const episodes = await waitFor('the skew episode', async () =>
      query<{ holder: string; offsetMs: number; reason: string; endedAt: Date | null }>(db.url, `SELECT holder, "offsetMs", reason::text, "endedAt" FROM "SkewEpisode"`).then((r) => (r.length > 0 ? r : undefined)),
    );
    expect(episodes).toEqual([expect.objectContaining({ holder: acquired.to, reason: 'future_renew', endedAt: null })]);
    expect(Math.abs(episodes[0]!.offsetMs - 5_000)).toBeLessThanOrEqual(300);
  });
});

describe('absurd values from a cluster', () => {
  it('a 30-day clock offset is clamped and counted on its lease, and the cluster keeps ingesting', { timeout: 60_000 }, async () => {
    const db = await createMigratedDatabase('month_skew');
    cleanups.push(db.drop);
    const other: ElectionProfile = { ...fastProfile, component: 'other-operator', leaseName: 'other-operator' };
    const fleet = await startFleet({ clusters: ['alpha'], leases: [fastProfile, other], candidates: 2, seed: 14, restartDelayMs: 300 });
    cleanups.push(() => fleet.stop());
    const controller = startController(db.url, targetsOf(fleet));
    cleanups.push(() => controller.stop());
    await waitFor('both leases stored', async () => (await query(db.url, `SELECT 1 FROM "Lease" WHERE "holderIdentity" IS NOT NULL`)).length === 2);

    const skewedAt = new Date();
    await fleet.skewClock('alpha', leaseKey, 30 * 24 * 3600_000);
    await waitFor('the offset clamped on the lease row', async () =>
      (await query<{ skewSuspectedMs: number | null }>(db.url, `SELECT "skewSuspectedMs" FROM "Lease" WHERE name = $1`, [fastProfile.leaseName]))[0]?.skewSuspectedMs === 2_147_483_647,
    );
    const samplesSince = (name: string) =>
      query<{ count: number }>(db.url, `SELECT count(*)::int AS count FROM "RenewSample" s JOIN "Lease" l ON l.id = s."leaseId" WHERE l.name = $1 AND ${seenAtOf('s')} > $2`, [name, skewedAt]).then((r) => r[0]!.count);
    await waitFor('renewals of both leases stored after the skew', async () => (await samplesSince(fastProfile.leaseName)) > 3 && (await samplesSince(other.leaseName)) > 3);
    const [row] = await query<{ skewSuspectedMs: number; malformedCount: number }>(db.url, `SELECT "skewSuspectedMs", "malformedCount" FROM "Lease" WHERE name = $1`, [fastProfile.leaseName]);
    expect(row!.skewSuspectedMs).toBe(2_147_483_647);
    expect(row!.malformedCount).toBeGreaterThan(0);
    // Filed when we saw them, so the newest sample is still the newest renewal.
    const [latest] = await query<{ renewTime: Date }>(db.url, `SELECT s."renewTime" FROM "RenewSample" s JOIN "Lease" l ON l.id = s."leaseId" WHERE l.name = $1 ORDER BY s."renewTime" DESC LIMIT 1`, [fastProfile.leaseName]);
    expect(latest!.renewTime.getTime()).toBeLessThanOrEqual(Date.now());
    const [cluster] = await query<{ lastEventAt: Date }>(db.url, `SELECT "lastEventAt" FROM "Cluster"`);
    expect(cluster!.lastEventAt.getTime()).toBeGreaterThan(skewedAt.getTime());
  });

  it('a value PostgreSQL refuses (a NUL byte) quarantines that lease only; the rest of the batch is stored', { timeout: 60_000 }, async () => {
    const db = await createMigratedDatabase('nul_holder');
    cleanups.push(db.drop);
    const fleet = await startFleet({ clusters: ['alpha'], leases: [fastProfile], candidates: 2, seed: 15, restartDelayMs: 300 });
    cleanups.push(() => fleet.stop());
    const controller = startController(db.url, targetsOf(fleet));
    cleanups.push(() => controller.stop());
    await waitFor('the elected lease stored', async () => (await query(db.url, `SELECT 1 FROM "Lease" WHERE name = $1`, [fastProfile.leaseName])).length === 1);

    const now = new Date().toISOString().replace('Z', '000Z');
    const hostile = fleet.cluster('alpha').apiServer.store.create('kube-system', {
      metadata: { name: 'hostile', namespace: 'kube-system' },
      spec: { holderIdentity: 'evil\u0000holder', leaseDurationSeconds: 15, acquireTime: now, renewTime: now, leaseTransitions: 0 },
    }, { manager: 'hostile-writer' });
    const quarantinedAt = Date.now();
    await waitFor('the quarantine counted', async () => controller.quarantined('alpha') > 0);
    // Its next renewal is quarantined again (it has no row), never a stall of the cluster.
    const later = new Date(Date.now() + 1).toISOString().replace('Z', '000Z');
    fleet.cluster('alpha').apiServer.store.update(
      'kube-system',
      'hostile',
      { metadata: { name: 'hostile', namespace: 'kube-system', resourceVersion: hostile.metadata.resourceVersion }, spec: { holderIdentity: 'evil\u0000holder', leaseDurationSeconds: 15, acquireTime: now, renewTime: later, leaseTransitions: 0 } },
      { manager: 'hostile-writer' },
    );
    await waitFor('the renewal quarantined too', async () => controller.quarantined('alpha') > 1);
    await waitFor('renewals of the elected lease after it', async () =>
      (await query(db.url, `SELECT 1 FROM "RenewSample" s JOIN "Lease" l ON l.id = s."leaseId" WHERE l.name = $1 AND ${seenAtOf('s')} > $2`, [fastProfile.leaseName, new Date(quarantinedAt)])).length > 2,
    );
    expect(await query(db.url, `SELECT 1 FROM "Lease" WHERE name = 'hostile'`)).toEqual([]);
  });
});

describe('a restarted fleet whose Leases keep their uids but start over', () => {
  it('is recorded as a reset, and the current holders are right within one renew period', { timeout: 90_000 }, async () => {
    const db = await createMigratedDatabase('restarted_fleet');
    cleanups.push(db.drop);
    const port = await freePort();
    const other: ElectionProfile = { ...fastProfile, component: 'other-operator', leaseName: 'other-operator' };
    const options = { clusters: ['alpha'], leases: [fastProfile, other], candidates: 2, seed: 16, restartDelayMs: 300, portBase: port };
    let fleet = await startFleet(options);
    cleanups.push(() => fleet.stop());
    const controller = startController(db.url, targetsOf(fleet));
    cleanups.push(() => controller.stop());
    await waitFor('a first leader', async () => fleet.leaderOf('alpha', leaseKey));
    await fleet.crashLeader('alpha', leaseKey);
    await waitFor('the takeover stored', async () => (await storedTransitions(db.url, 'alpha', fastProfile.leaseName)).some((t) => t.kind === 'acquired' && t.leaseTransitions === 1));

    await fleet.stop();
    fleet = await startFleet(options);
    const holdersMatch = async () => {
      const rows = await query<{ name: string; holderIdentity: string | null }>(db.url, `SELECT name, "holderIdentity" FROM "Lease"`);
      return rows.length === 2 && rows.every((row) => row.holderIdentity !== null && row.holderIdentity === fleet.leaderOf('alpha', `kube-system/${row.name}`));
    };
    await waitFor('the new leaders stored', holdersMatch, 20_000);
    const resets = await query<{ name: string; toHolder: string | null }>(db.url, `SELECT l.name, t."toHolder" FROM "Transition" t JOIN "Lease" l ON l.id = t."leaseId" WHERE t.kind = 'reset'`);
    expect(resets.map((r) => r.name)).toContain(fastProfile.leaseName);
    // Within one renew period of any later change of leader, the stored holder follows.
    await fleet.crashLeader('alpha', leaseKey);
    await waitFor('the next leader stored', holdersMatch, 5_000);
  });
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
