import { afterEach, describe, expect, it } from 'vitest';
import type { Controller } from '../../../lib/kube/controller';
import { defaultWatchConfig } from '../../../lib/kube/watch-config';
import { startFleet, type Fleet } from '../../../lib/sim';
import { getNodeHeartbeats } from '../../../lib/store/node-heartbeats';
import { rollUpRenewals } from '../../../lib/store/rollups';
import { createMigratedDatabase, type MigratedDatabase } from '../helpers/database';
import { fastProfile, query, startController, targetsOf, waitFor } from './support';
import { observedAtOf } from '../../../lib/store/renew-sample-sql';

let fleet: Fleet | undefined;
let controller: Controller | undefined;
let db: MigratedDatabase | undefined;

afterEach(async () => {
  await controller?.stop();
  await fleet?.stop();
  await db?.drop();
  controller = fleet = db = undefined;
});

// kubelet's shape scaled down: renew every 300 ms (plus the request, several hundred ms on a busy
// machine), "missed" above 2 s, grace 4 s, near from 2.5 s.
const scaled = { gracePeriodMs: 4_000, nearMs: 1_500, missedAboveMs: 2_000, burstMinNodes: 3, burstMinShare: 0.1, limit: 200 };

describe('node heartbeats', () => {
  it('finds a fleet-wide burst of missed renewals and the nodes that came near the grace period, from rollups', async () => {
    db = await createMigratedDatabase('nodes');
    fleet = await startFleet({ clusters: ['prod-eu'], leases: [fastProfile], candidates: 1, heartbeatNodes: 20, heartbeatIntervalMs: 300, seed: 'nodes' });
    controller = startController(db.url, targetsOf(fleet), { watchConfig: { ...defaultWatchConfig, nodeHeartbeats: true } });
    const nodeSamples = async (minimum: number) => {
      const rows = await query<{ n: number }>(db!.url, `SELECT count(DISTINCT s."leaseId")::int AS n FROM "RenewSample" s JOIN "Lease" l ON l.id = s."leaseId" WHERE l.kind = 'node_heartbeat' AND s."intervalMs" IS NOT NULL`);
      return rows[0]!.n >= minimum;
    };
    await waitFor('every node renewing twice', () => nodeSamples(20));
    // Start-up is noisy (20 kubelets and the controller starting on two cores): the view starts afterwards.
    await waitFor('steady renewals', async () => {
      const rows = await query<{ n: number }>(db!.url, `SELECT count(*)::int AS n FROM "RenewSample" WHERE "intervalMs" IS NOT NULL AND "intervalMs" <= 1500 AND ${observedAtOf()} > now() - interval '2 seconds'`);
      return rows[0]!.n >= 20;
    });
    const stalledAt = Date.now();
    const burst = await fleet.applyChaos({ op: 'heartbeatBurst', cluster: 'prod-eu', share: 0.6, durationMs: 3_000 });
    expect(burst.detail).toBe('12 of 20 nodes stop renewing for 3000 ms');
    await waitFor('the stalled nodes renewing again', async () => {
      const rows = await query<{ n: number }>(db!.url, `SELECT count(DISTINCT "leaseId")::int AS n FROM "RenewSample" WHERE "intervalMs" > 2000 AND "renewTime" > $1`, [new Date(stalledAt)]);
      return rows[0]!.n >= 12;
    });
    // Close the current minute for the rollup job, as its next run after the settle time would.
    await rollUpRenewals(db.store, { now: new Date(Date.now() + 60_000), settleMs: 0 });
    const view = await getNodeHeartbeats(db.store, 'prod-eu', { from: new Date(Math.floor(stalledAt / 60_000) * 60_000), to: new Date(Date.now() + 60_000) }, scaled);
    expect(view).not.toBeNull();
    expect(view!.totalNodes).toBe(20);
    expect(view!.reportingNodes).toBe(20);
    // A burst is dated by the 10 s slot of the stalled nodes' last renewal before the stall: the stall's slot or,
    // on a loaded machine where that renewal came late, the one before it.
    const stallSlot = Math.floor(stalledAt / 10_000) * 10_000;
    const bursts = view!.bursts.filter((entry) => entry.at >= stallSlot - 10_000);
    expect(bursts, JSON.stringify(view!.bursts)).toHaveLength(1);
    expect(bursts[0]!.nodes).toBeGreaterThanOrEqual(12);
    expect(bursts[0]!.totalNodes).toBe(20);
    expect(bursts[0]!.at).toBeLessThanOrEqual(stallSlot);
    const stalledNames = Array.from({ length: 12 }, (_, i) => `prod-eu-worker-${i + 1}`);
    const stalled = view!.nodes.filter((node) => stalledNames.includes(node.node));
    expect(stalled).toHaveLength(12);
    expect(stalled.every((node) => node.worstMs! >= 3_000 && node.isNearGrace !== node.isPastGrace)).toBe(true);
    expect(view!.nearGraceNodes + view!.pastGraceNodes).toBeGreaterThanOrEqual(12);
    const steady = view!.nodes.find((node) => !stalledNames.includes(node.node))!;
    expect(steady.p50Ms).toBeGreaterThanOrEqual(250);
    expect(steady.p50Ms).toBeLessThan(2_000);
    // Renew gap over time: the cluster's series shows the burst's gaps in the steps it fell in, every node counted once per step.
    expect(view!.series.stepMs).toBe(60_000);
    expect(view!.series.points.length).toBeGreaterThan(0);
    expect(Math.max(...view!.series.points.map((point) => point.worstMs ?? 0))).toBeGreaterThanOrEqual(3_000);
    // A minute holding only first renewals (no interval yet, e.g. while nodes start on a loaded machine) has no gaps: null, not 0.
    const badPoints = view!.series.points.filter(
      (point) => !(point.nodes <= 20 && (point.p50Ms === null ? point.p99Ms === null && point.worstMs === null : point.p50Ms <= point.p99Ms! && point.p99Ms! <= point.worstMs!)),
    );
    expect(badPoints, JSON.stringify(badPoints)).toEqual([]);
    expect(view!.series.points.some((point) => point.nodes === 20)).toBe(true);
    expect(view!.selectedNode).toBeNull();
    const range = { from: new Date(Math.floor(stalledAt / 60_000) * 60_000), to: new Date(Date.now() + 60_000) };
    const ofStalled = await getNodeHeartbeats(db.store, 'prod-eu', range, scaled, stalledNames[0]!);
    expect(ofStalled!.selectedNode!.node).toBe(stalledNames[0]);
    // A node's series agrees with its row of the table: the same rollups, drawn over time.
    expect(Math.max(...ofStalled!.selectedNode!.series.points.map((point) => point.worstMs ?? 0))).toBe(stalled.find((node) => node.node === stalledNames[0])!.worstMs);
    expect(ofStalled!.selectedNode!.series.points.every((point) => point.nodes === 1)).toBe(true);
    const ofSteady = await getNodeHeartbeats(db.store, 'prod-eu', range, scaled, steady.node);
    expect(Math.max(...ofSteady!.selectedNode!.series.points.map((point) => point.worstMs ?? 0))).toBe(steady.worstMs);
    expect((await getNodeHeartbeats(db.store, 'prod-eu', range, scaled, 'no-such-node'))!.selectedNode).toEqual({ node: 'no-such-node', series: { stepMs: 60_000, points: [] } });
    expect(await getNodeHeartbeats(db.store, 'nowhere', { from: new Date(0), to: new Date() }, scaled)).toBeNull();
  });
});
