import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlertEngine } from '../../../lib/server/alerts/engine';
import { loggerFor } from '../../../lib/log';
import { silenceAlert } from '../../../lib/store/alerts';
import type { Cluster, Lease } from '../../../lib/store/generated/prisma/client';
import { createMigratedDatabase, type MigratedDatabase } from '../helpers/database';
import { seedCluster, seedLease, seedRenewSamples, seedTransitions } from '../helpers/seed';
import { seedWebhookChannel, waitUntil } from './support';
import type { RuleKind } from '../../../lib/alerts/types';

// The engine against real PostgreSQL with an injected clock: seeded history, evaluate(kinds, now).

const t0 = Date.parse('2026-11-24T10:00:00Z');
const s = (seconds: number) => new Date(t0 + seconds * 1_000);

let db: MigratedDatabase;
let cluster: Cluster;
let scheduler: Lease;
const engines: AlertEngine[] = [];

beforeEach(async () => {
  db = await createMigratedDatabase('alerts_engine');
  cluster = await seedCluster(db.store, 'prod-eu', { lastSeenAt: s(0) });
  scheduler = await seedLease(db.store, cluster, { namespace: 'kube-system', name: 'kube-scheduler', holderIdentity: 'cp-1_a', leaseDurationSeconds: 15 });
});

afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.stop();
  await db.drop();
});

function newEngine(): AlertEngine {
  const engine = new AlertEngine({ store: db.store, log: loggerFor('alerts-test'), delivery: false });
  engines.push(engine);
  return engine;
}

async function flap(lease: Lease, seconds: number[]): Promise<void> {
  await seedTransitions(
    db.store,
    lease,
    seconds.map((at, i) => ({ at: s(at), kind: 'acquired' as const, cause: 'release' as const, fromHolder: `h${i}`, toHolder: `h${i + 1}`, eventKey: `flap-${lease.id}-${at}` })),
  );
}

async function createFlappingRule(overrides: Record<string, unknown> = {}, channelIds: number[] = []) {
  return db.store.prisma.alertRule.create({
    data: {
      name: 'scheduler flapping',
      kind: 'flapping',
      params: { transitions: 3, windowSeconds: 60 },
      forSeconds: 0,
      quietSeconds: 30,
      ...overrides,
      channels: { create: channelIds.map((channelId) => ({ channelId })) },
    },
  });
}

const alerts = () => db.store.prisma.alert.findMany({ orderBy: { id: 'asc' }, include: { events: { orderBy: { id: 'asc' } } } });
const notifications = () => db.store.prisma.notification.findMany({ orderBy: { id: 'asc' } });

describe('the alert engine', () => {
  it('fires once for a flapping lease, persists state and history, queues one notification per channel, and resolves after the quiet period', async () => {
    const webhook = await seedWebhookChannel(db.store, 'hook', 'http://127.0.0.1:9/a');
    const other = await seedWebhookChannel(db.store, 'other', 'http://127.0.0.1:9/b');
    await createFlappingRule({}, [webhook, other]);
    await flap(scheduler, [0, 10, 20]);
    const engine = newEngine();

    const fired = await engine.evaluate(['flapping'], t0 + 20_500);
    expect(fired.changes).toEqual([expect.objectContaining({ from: null, to: 'firing', subjectKey: 'prod-eu/kube-system/kube-scheduler' })]);
    expect(fired.notificationsQueued).toBe(2);
    expect(fired.nextEvaluationAt.get('flapping')).toBe(t0 + 60_000);

    for (const at of [25, 40, 59]) expect((await engine.evaluate(['flapping'], t0 + at * 1_000)).notificationsQueued).toBe(0);
    expect((await alerts())[0]).toMatchObject({ state: 'firing', value: 3, firingAt: new Date(t0 + 20_500) });

    const quiet = await engine.evaluate(['flapping'], t0 + 61_000);
    expect(quiet.changes).toEqual([]);
    expect(quiet.nextEvaluationAt.get('flapping')).toBe(t0 + 90_000);
    expect((await alerts())[0]?.lastActiveAt).toEqual(s(60));

    const resolved = await engine.evaluate(['flapping'], t0 + 90_000);
    expect(resolved.changes).toEqual([expect.objectContaining({ from: 'firing', to: 'resolved' })]);
    expect(resolved.notificationsQueued).toBe(2);

    const [alert] = await alerts();
    expect(alert).toMatchObject({ state: 'resolved', resolvedAt: s(90), summary: '3 changes of leader in the last 60 s (threshold 3)' });
    expect(alert?.events.map((e) => [e.fromState, e.toState])).toEqual([
      [null, 'firing'],
      ['firing', 'resolved'],
    ]);
    expect((await notifications()).map((n) => [n.channelId, n.event, n.status])).toEqual([
      [webhook, 'firing', 'pending'],
      [other, 'firing', 'pending'],
      [webhook, 'resolved', 'pending'],
      [other, 'resolved', 'pending'],
    ]);
  });

  it('after a restart takes alert state back from the database and queues nothing twice', async () => {
    const webhook = await seedWebhookChannel(db.store, 'hook', 'http://127.0.0.1:9/a');
    await createFlappingRule({}, [webhook]);
    await flap(scheduler, [0, 10, 20]);
    await newEngine().evaluate(['flapping'], t0 + 21_000);
    await engines[0]!.stop();

    const restarted = newEngine();
    expect((await restarted.evaluate(['flapping'], t0 + 30_000)).notificationsQueued).toBe(0);
    await flap(scheduler, [35]);
    expect((await restarted.evaluate(['flapping'], t0 + 36_000)).changes).toEqual([]);
    expect((await restarted.evaluate(['flapping'], t0 + 200_000)).changes).toEqual([expect.objectContaining({ to: 'resolved' })]);
    expect((await alerts()).length).toBe(1);
    expect((await notifications()).map((n) => n.event)).toEqual(['firing', 'resolved']);
  });

  it('serialises replicas: two engines evaluating at once open one alert', async () => {
    await createFlappingRule();
    await flap(scheduler, [0, 10, 20]);
    const [a, b] = [newEngine(), newEngine()];
    await Promise.all([a.evaluate(['flapping'], t0 + 21_000), b.evaluate(['flapping'], t0 + 21_000), a.evaluate(['flapping'], t0 + 21_500)]);
    expect((await alerts()).length).toBe(1);
  });

  it('waits out the for duration in pending before firing', async () => {
    await createFlappingRule({ forSeconds: 10 });
    await flap(scheduler, [0, 10, 20]);
    const engine = newEngine();
    const pending = await engine.evaluate(['flapping'], t0 + 20_000);
    expect(pending.changes.map((c) => c.to)).toEqual(['pending']);
    expect(pending.nextEvaluationAt.get('flapping')).toBe(t0 + 30_000);
    expect((await engine.evaluate(['flapping'], t0 + 30_000)).changes.map((c) => c.to)).toEqual(['firing']);
  });

  it('does not notify a silenced alert; the silence carries over to the next alert of that lease; notifies when it runs out', async () => {
    const webhook = await seedWebhookChannel(db.store, 'hook', 'http://127.0.0.1:9/a');
    await createFlappingRule({ quietSeconds: 0 }, [webhook]);
    await flap(scheduler, [0, 1, 2]);
    const engine = newEngine();
    await engine.evaluate(['flapping'], t0 + 3_000);
    const [first] = await alerts();
    await db.store.prisma.notification.deleteMany();
    await silenceAlert(db.store, { id: first!.id, until: s(300), by: 'alice', note: 'maintenance', now: s(3) });
    await engine.evaluate(['flapping'], t0 + 70_000);
    expect((await alerts())[0]?.state).toBe('resolved');

    await flap(scheduler, [100, 101, 102]);
    const second = await engine.evaluate(['flapping'], t0 + 103_000);
    expect(second.changes.map((c) => c.to)).toEqual(['firing']);
    expect(second.notificationsQueued).toBe(0);
    expect(second.nextEvaluationAt.get('flapping')).toBe(t0 + 160_000);
    expect((await alerts())[1]?.silencedUntil).toEqual(s(300));

    await flap(scheduler, [150, 200, 250, 270, 280, 290]);
    expect((await engine.evaluate(['flapping'], t0 + 299_000)).notificationsQueued).toBe(0);
    expect((await engine.evaluate(['flapping'], t0 + 300_000)).notificationsQueued).toBe(1);
    expect((await alerts())[0]?.events.at(-1)?.note).toMatch(/^condition held for \d+ s/);
    expect((await alerts())[0]?.events.some((e) => e.note === 'silenced until 2026-11-24T10:05:00.000Z by alice: maintenance')).toBe(true);
  });

  it('raises leaderless after S seconds without a holder, and resolves when a holder acquires', async () => {
    await db.store.prisma.alertRule.create({ data: { name: 'leaderless', kind: 'leaderless', params: { seconds: 20 }, quietSeconds: 0 } });
    await seedTransitions(db.store, scheduler, [
      { at: s(0), kind: 'acquired', cause: 'first', toHolder: 'cp-1_a', eventKey: 'a' },
      { at: s(10), kind: 'released', fromHolder: 'cp-1_a', eventKey: 'r' },
    ]);
    const engine = newEngine();
    const early = await engine.evaluate(['leaderless'], t0 + 20_000);
    expect(early.changes).toEqual([]);
    expect(early.nextEvaluationAt.get('leaderless')).toBe(t0 + 30_000);
    expect((await engine.evaluate(['leaderless'], t0 + 30_000)).changes.map((c) => c.to)).toEqual(['firing']);
    await seedTransitions(db.store, scheduler, [{ at: s(40), kind: 'acquired', cause: 'release', toHolder: 'cp-2_b', leaderlessMs: 30_000, eventKey: 'b' }]);
    expect((await engine.evaluate(['leaderless'], t0 + 41_000)).changes.map((c) => c.to)).toEqual(['resolved']);
  });

  it('raises renew latency when the renew interval p95 nears the lease duration', async () => {
    await db.store.prisma.alertRule.create({ data: { name: 'slow renewals', kind: 'renew_latency', params: { windowSeconds: 300, percentOfLeaseDuration: 50, minSamples: 5 }, quietSeconds: 0 } });
    await seedRenewSamples(db.store, scheduler, Array.from({ length: 10 }, (_, i) => ({ renewTime: s(100 + i * 10), intervalMs: i < 5 ? 2_000 : 10_000, lagMs: 5 })));
    const report = await newEngine().evaluate(['renew_latency'], t0 + 200_000);
    expect(report.changes.map((c) => c.to)).toEqual(['firing']);
    const [alert] = await alerts();
    expect(alert?.value).toBeGreaterThan(50);
    expect(alert?.summary).toMatch(/% of the 15 s lease duration/);
  });

  it('raises stale data for a cluster not observed for S seconds', async () => {
    await db.store.prisma.alertRule.create({ data: { name: 'stale', kind: 'stale_data', params: { seconds: 60 }, quietSeconds: 0 } });
    const engine = newEngine();
    expect((await engine.evaluate(['stale_data'], t0 + 59_000)).nextEvaluationAt.get('stale_data')).toBe(t0 + 60_000);
    expect((await engine.evaluate(['stale_data'], t0 + 60_000)).changes).toEqual([expect.objectContaining({ to: 'firing', subjectKey: 'prod-eu' })]);
    await db.store.prisma.cluster.update({ where: { id: cluster.id }, data: { lastSeenAt: s(61) } });
    expect((await engine.evaluate(['stale_data'], t0 + 62_000)).changes.map((c) => c.to)).toEqual(['resolved']);
  });

  it('resolves the open alerts of a rule that gets disabled, and tells the channels', async () => {
    const webhook = await seedWebhookChannel(db.store, 'hook', 'http://127.0.0.1:9/a');
    const rule = await createFlappingRule({}, [webhook]);
    await flap(scheduler, [0, 1, 2]);
    const engine = newEngine();
    await engine.evaluate(['flapping'], t0 + 3_000);
    await db.store.prisma.alertRule.update({ where: { id: rule.id }, data: { enabled: false } });
    const report = await engine.evaluate(['flapping'], t0 + 4_000);
    expect(report.changes).toEqual([expect.objectContaining({ to: 'resolved', note: 'rule disabled' })]);
    expect((await notifications()).map((n) => n.event)).toEqual(['firing', 'resolved']);
  });

  it('skips a rule whose stored params are invalid and evaluates the others', async () => {
    await db.store.prisma.alertRule.create({ data: { name: 'broken', kind: 'flapping', params: { transitions: 'many' } } });
    await createFlappingRule();
    await flap(scheduler, [0, 1, 2]);
    const report = await newEngine().evaluate(['flapping'], t0 + 3_000);
    expect(report.rules).toBe(1);
    expect(report.changes).toHaveLength(1);
  });
});

describe('heartbeat_gap in the engine', () => {
  async function seedNodes(count: number, renewedAt: Date): Promise<Lease[]> {
    const nodes: Lease[] = [];
    for (let i = 0; i < count; i++) nodes.push(await seedLease(db.store, cluster, { namespace: 'kube-node-lease', name: `node-${i}`, kind: 'node_heartbeat', holderIdentity: `node-${i}`, leaseDurationSeconds: 40, renewTime: renewedAt }));
    return nodes;
  }
  const createRule = (params: { scope: string; gapSeconds: number; clusterSharePercent: number }) => db.store.prisma.alertRule.create({ data: { name: 'nodes', kind: 'heartbeat_gap', params, namespacePattern: '*', forSeconds: 0, quietSeconds: 0 } });

  it('does not fire while Leasetrail is blind on the cluster, and fires for a real gap it saw', async () => {
    const nodes = await seedNodes(4, s(100));
    await createRule({ scope: 'cluster', gapSeconds: 30, clusterSharePercent: 50 });
    await db.store.prisma.observationGap.create({ data: { clusterId: cluster.id, startedAt: s(101), endedAt: null, reason: 'watch_lost' } });
    const blind = await newEngine().evaluate(['heartbeat_gap'], t0 + 200_000);
    expect(blind.changes).toEqual([]);

    await db.store.prisma.observationGap.updateMany({ data: { endedAt: s(150) } });
    // Two of the four nodes missed 35 s together, seen after the blind spot ended.
    await seedRenewSamples(db.store, nodes[0]!, [{ renewTime: s(190), intervalMs: 35_000 }]);
    await seedRenewSamples(db.store, nodes[1]!, [{ renewTime: s(191), intervalMs: 35_000 }]);
    await db.store.prisma.lease.updateMany({ data: { renewTime: s(195) } });
    const fired = await newEngine().evaluate(['heartbeat_gap'], t0 + 200_000);
    expect(fired.changes).toEqual([expect.objectContaining({ from: null, to: 'firing', subjectKey: 'prod-eu' })]);
  });
});

describe('evaluation cadence', () => {
  it('evaluates slo_burn on its own slower clock while the other kinds tick', async () => {
    const engine = new AlertEngine({ store: db.store, log: loggerFor('alerts-test'), delivery: false, tickMs: 20, sloBurnTickMs: 600_000 });
    engines.push(engine);
    const evaluated: RuleKind[][] = [];
    const evaluate = engine.evaluate.bind(engine);
    engine.evaluate = (kinds, now) => {
      evaluated.push([...(kinds ?? [])]);
      return evaluate(kinds, now);
    };
    engine.start();
    await waitUntil('five evaluations of stale data', () => evaluated.filter((kinds) => kinds.includes('stale_data')).length >= 5);
    expect(evaluated.filter((kinds) => kinds.includes('slo_burn'))).toHaveLength(1);
  });
});
