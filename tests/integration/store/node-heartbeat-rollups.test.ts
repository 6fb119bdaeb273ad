import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster, Lease } from '../../../lib/store/generated/prisma/client';
import { mergeBurstSlots } from '../../../lib/leases/heartbeat-bursts';
import { rebuildNodeHeartbeatRollupsSql } from '../../../lib/store/node-heartbeat-rollups';
import { defaultNodeHeartbeatOptions, getNodeHeartbeats, getSeriesStepMs, wholeHoursOf, windowTiersOf } from '../../../lib/store/node-heartbeats';
import { ENTRY_INDEX_OFFSET, representativeOf } from '../../../lib/store/renew-histogram';
import { maintainPartitions } from '../../../lib/store/partitions';
import { rollUpRenewals } from '../../../lib/store/rollups';
import { createMigratedDatabase, type MigratedDatabase } from '../helpers/database';
import { seedCluster, seedLease, seedRenewSamples, type RenewSampleSeed } from '../helpers/seed';

// NodeHeartbeatMinute, NodeHeartbeatTenMinute and NodeHeartbeatHour are, after every rollup run (first pass, restated minutes,
// late samples queued by the trigger), exactly the merge of the node heartbeat leases' RenewRollup rows.

let db: MigratedDatabase;

const MINUTE = 60_000;
const HOUR = 3_600_000;
const BLOCK = 10 * MINUTE;

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type RollupRow = { leaseId: number; clusterId: number; bucket: Date; sampleCount: number; intervalMaxMs: number | null; worstRenewTime: Date; intervalHist: number[] };

const histogram = (entries: number[][]) => {
  const counts = new Map<number, number>();
  for (const entry of entries.flat()) counts.set(entry >> 16, (counts.get(entry >> 16) ?? 0) + (entry & 0xffff));
  return Object.fromEntries([...counts].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]));
};

const worstFirst = (a: RollupRow, b: RollupRow) => (b.intervalMaxMs ?? -Infinity) - (a.intervalMaxMs ?? -Infinity) || a.worstRenewTime.getTime() - b.worstRenewTime.getTime();

function groupBy<T>(rows: T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) groups.set(key(row), [...(groups.get(key(row)) ?? []), row]);
  return groups;
}

async function expectMergesOfRenewRollup(): Promise<{ minutes: number; hours: number; blocks: number }> {
  const rows = await db.store.prisma.$queryRaw<RollupRow[]>`
    SELECT r."leaseId", l."clusterId", r.bucket, r."sampleCount", r."intervalMaxMs", r."worstRenewTime", r."intervalHist"
      FROM "RenewRollup" r JOIN "Lease" l ON l.id = r."leaseId" WHERE l.kind = 'node_heartbeat'`;
  const expectedMinutes = [...groupBy(rows, (row) => `${row.clusterId}/${row.bucket.getTime()}`).values()].map((group) => ({
    key: `${group[0]!.clusterId}/${group[0]!.bucket.toISOString()}`,
    nodes: group.length,
    sampleCount: group.reduce((sum, row) => sum + row.sampleCount, 0),
    intervalMaxMs: group.every((row) => row.intervalMaxMs === null) ? null : Math.max(...group.map((row) => row.intervalMaxMs ?? -Infinity)),
    hist: histogram(group.map((row) => row.intervalHist)),
  }));
  const perNode = (unit: number) =>
    [...groupBy(rows, (row) => `${row.leaseId}/${Math.floor(row.bucket.getTime() / unit)}`).values()].map((group) => {
      const worst = [...group].sort(worstFirst)[0]!;
      return {
        key: `${group[0]!.leaseId}/${new Date(Math.floor(group[0]!.bucket.getTime() / unit) * unit).toISOString()}`,
        sampleCount: group.reduce((sum, row) => sum + row.sampleCount, 0),
        intervalMaxMs: worst.intervalMaxMs,
        worstRenewTime: worst.worstRenewTime.toISOString(),
        hist: histogram(group.map((row) => row.intervalHist)),
      };
    });
  const expectedHours = perNode(HOUR);
  const expectedBlocks = perNode(BLOCK);
  const minutes = await db.store.prisma.nodeHeartbeatMinute.findMany();
  const hours = await db.store.prisma.nodeHeartbeatHour.findMany();
  const blocks = await db.store.prisma.nodeHeartbeatTenMinute.findMany();
  const byKey = <T extends { key: string }>(list: T[]) => [...list].sort((a, b) => a.key.localeCompare(b.key));
  expect(byKey(minutes.map((row) => ({ key: `${row.clusterId}/${row.bucket.toISOString()}`, nodes: row.nodes, sampleCount: row.sampleCount, intervalMaxMs: row.intervalMaxMs, hist: histogram([row.intervalHist]) })))).toEqual(byKey(expectedMinutes));
  const ofNode = (list: typeof hours) => byKey(list.map((row) => ({ key: `${row.leaseId}/${row.bucket.toISOString()}`, sampleCount: row.sampleCount, intervalMaxMs: row.intervalMaxMs, worstRenewTime: row.worstRenewTime.toISOString(), hist: histogram([row.intervalHist]) })));
  expect(ofNode(hours)).toEqual(byKey(expectedHours));
  expect(ofNode(blocks)).toEqual(byKey(expectedBlocks));
  return { minutes: minutes.length, hours: hours.length, blocks: blocks.length };
}


// The Nodes view computed here from the per-node per-minute RenewRollup rows alone (what it read before the
// node heartbeat rollups): per node p50 / p99 / worst, the cluster's series, the bursts.
function percentileIndex(hist: Record<number, number>, fraction: number): number | null {
  const entries = Object.entries(hist).map(([k, n]) => [Number(k) - ENTRY_INDEX_OFFSET, n] as const).sort((a, b) => a[0] - b[0]);
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  let cum = 0;
  for (const [index, n] of entries) {
    cum += n;
    if (cum >= fraction * total) return index;
  }
  return null;
}
// A percentile is its bucket's representative, but never above the exact worst gap (no percentile exceeds the maximum).
const msOf = (index: number | null, worst: number | null) => {
  if (index === null) return null;
  const value = Math.round(representativeOf(index));
  return worst === null ? value : Math.min(value, worst);
};

async function expectedView(cluster: Cluster, range: { from: Date; to: Date }, options: typeof defaultNodeHeartbeatOptions) {
  const rows = await db.store.prisma.$queryRaw<Array<RollupRow & { name: string }>>`
    SELECT r."leaseId", l."clusterId", l.name, r.bucket, r."sampleCount", r."intervalMaxMs", r."worstRenewTime", r."intervalHist"
      FROM "RenewRollup" r JOIN "Lease" l ON l.id = r."leaseId"
     WHERE l."clusterId" = ${cluster.id} AND l.kind = 'node_heartbeat' AND r.bucket >= ${range.from} AND r.bucket < ${range.to}`;
  const nodes = [...groupBy(rows, (row) => row.name).values()].map((group) => {
    const hist = histogram(group.map((row) => row.intervalHist));
    const worst = [...group].sort(worstFirst)[0]!;
    return { node: group[0]!.name, samples: Object.values(hist).reduce((sum, n) => sum + n, 0), p50Ms: msOf(percentileIndex(hist, 0.5), worst.intervalMaxMs), p99Ms: msOf(percentileIndex(hist, 0.99), worst.intervalMaxMs), worstMs: worst.intervalMaxMs, worstAt: worst.worstRenewTime.getTime() };
  });
  const stepMs = getSeriesStepMs(range);
  const points = [...groupBy(rows, (row) => String(Math.floor(row.bucket.getTime() / stepMs) * stepMs)).entries()]
    .map(([at, group]) => {
      const hist = histogram(group.map((row) => row.intervalHist));
      const perMinute = groupBy(group, (row) => String(row.bucket.getTime()));
      const worst = group.every((row) => row.intervalMaxMs === null) ? null : Math.max(...group.map((row) => row.intervalMaxMs ?? -Infinity));
      return { at: Number(at), p50Ms: msOf(percentileIndex(hist, 0.5), worst), p99Ms: msOf(percentileIndex(hist, 0.99), worst), worstMs: worst, nodes: Math.max(...[...perMinute.values()].map((minute) => minute.length)) };
    })
    .sort((a, b) => a.at - b.at);
  const slots = [...groupBy(rows.filter((row) => row.intervalMaxMs !== null && row.intervalMaxMs > options.missedAboveMs), (row) => String(Math.floor((row.worstRenewTime.getTime() - row.intervalMaxMs!) / 10_000) * 10_000)).entries()]
    .map(([at, group]) => ({ at: Number(at), nodes: [...new Set(group.map((row) => row.leaseId))], worstMs: Math.max(...group.map((row) => row.intervalMaxMs!)) }));
  return { nodes, points, bursts: mergeBurstSlots(slots).filter((burst) => burst.nodes >= options.burstMinNodes) };
}

beforeAll(async () => {
  db = await createMigratedDatabase('node-rollups');
});

afterAll(async () => {
  await db.drop();
});

describe('node heartbeat rollups', () => {
  it.each([1, 2, 3])('equal the merge of the per-node RenewRollup rows after every run (seed %i: first pass, restated minutes, late samples)', async (seed) => {
    const next = random(seed * 7919);
    const base = Date.parse('2025-06-01T08:20:00Z') + seed * 5 * HOUR;
    const clusters: Cluster[] = [await seedCluster(db.store, `nodes-${seed}-a`), await seedCluster(db.store, `nodes-${seed}-b`)];
    const nodes: Lease[] = [];
    for (const [c, cluster] of clusters.entries()) {
      for (let i = 0; i < 4 + c * 2; i++) nodes.push(await seedLease(db.store, cluster, { namespace: 'kube-node-lease', name: `node-${i}`, kind: 'node_heartbeat' }));
    }
    // A leader-elected lease of the same cluster: never part of the node rollups.
    const elected = await seedLease(db.store, clusters[0]!, { namespace: 'kube-system', name: 'kube-scheduler' });
    const used = new Set<string>();
    const samplesOf = (lease: Lease, from: number, to: number, every: number): RenewSampleSeed[] => {
      const list: RenewSampleSeed[] = [];
      for (let at = from + Math.floor(next() * every), i = 0; at < to; i++) {
        const intervalMs = i === 0 ? null : next() < 0.05 ? 15_000 + Math.floor(next() * 30_000) : every - 500 + Math.floor(next() * 1_000);
        at += intervalMs ?? 0;
        if (used.has(`${lease.id}/${at}`)) continue;
        used.add(`${lease.id}/${at}`);
        list.push({ renewTime: new Date(at), intervalMs, lagMs: Math.floor(next() * 300) - 50 });
      }
      return list;
    };
    const all = [...nodes.map((lease) => ({ lease, samples: samplesOf(lease, base, base + 150 * MINUTE, 10_000) })), { lease: elected, samples: samplesOf(elected, base, base + 150 * MINUTE, 2_000) }];
    // First pass: the first 100 minutes, less a tenth held back.
    const heldBack: Array<{ lease: Lease; samples: RenewSampleSeed[] }> = [];
    for (const { lease, samples } of all) {
      const early = samples.filter((s) => s.renewTime.getTime() < base + 100 * MINUTE);
      const held = early.filter(() => next() < 0.1);
      await seedRenewSamples(db.store, lease, early.filter((s) => !held.includes(s)));
      heldBack.push({ lease, samples: [...held, ...samples.filter((s) => s.renewTime.getTime() >= base + 100 * MINUTE)] });
    }
    await rollUpRenewals(db.store, { now: new Date(base + 102 * MINUTE), chunkMs: (7 + seed * 13) * MINUTE });
    const first = await expectMergesOfRenewRollup();
    expect(first.minutes).toBeGreaterThan(150);
    // The held-back samples (late: queued by the trigger) and the rest of the span, rolled up with the restated window.
    for (const { lease, samples } of heldBack) await seedRenewSamples(db.store, lease, samples);
    await rollUpRenewals(db.store, { now: new Date(base + 152 * MINUTE) });
    await expectMergesOfRenewRollup();
    // More late samples: slow renewals in minutes long rolled up, some of them a node's new worst of the hour.
    for (const lease of nodes) {
      const late: RenewSampleSeed[] = [];
      for (let i = 0; i < 5; i++) {
        const at = base + Math.floor(next() * 150 * MINUTE);
        if (used.has(`${lease.id}/${at}`)) continue;
        used.add(`${lease.id}/${at}`);
        late.push({ renewTime: new Date(at), intervalMs: 20_000 + Math.floor(next() * 40_000), lagMs: 5 });
      }
      await seedRenewSamples(db.store, lease, late);
    }
    const run = await rollUpRenewals(db.store, { now: new Date(base + 152 * MINUTE) });
    expect(run.lateRowsWritten).toBeGreaterThan(0);
    const last = await expectMergesOfRenewRollup();
    expect(last.hours).toBeGreaterThanOrEqual(nodes.length * 3);
    // Nothing more to do: a run changes nothing.
    await rollUpRenewals(db.store, { now: new Date(base + 152 * MINUTE) });
    await expectMergesOfRenewRollup();
    // The view read from the node heartbeat rollups (whole hours from NodeHeartbeatHour, edges from RenewRollup,
    // the series from NodeHeartbeatMinute) is the view computed from the per-node minute rows.
    const options = { ...defaultNodeHeartbeatOptions, burstMinNodes: 2, burstMinShare: 0 };
    const ranges = [
      { from: new Date(base + 7 * MINUTE + 13_000), to: new Date(base + 143 * MINUTE) },
      { from: new Date(base + 41 * MINUTE), to: new Date(base + 99 * MINUTE) },
      { from: new Date(base - HOUR), to: new Date(base + 3 * HOUR) },
      // Off the hour: 10-minute blocks between edge minutes, with and without whole hours; inside one block.
      { from: new Date(base + 41 * MINUTE + 1), to: new Date(base + 101 * MINUTE + 59_999) },
      { from: new Date(base + 33 * MINUTE), to: new Date(base + 147 * MINUTE + 30_000) },
      { from: new Date(base + 52 * MINUTE), to: new Date(base + 57 * MINUTE) },
    ];
    for (const range of ranges) {
      for (const cluster of clusters) {
        const view = (await getNodeHeartbeats(db.store, cluster.name, range, options))!;
        const expected = await expectedView(cluster, range, options);
        const byNode = <T extends { node: string }>(list: T[]) => [...list].sort((a, b) => a.node.localeCompare(b.node));
        expect(byNode(view.nodes.map(({ node, samples, p50Ms, p99Ms, worstMs, worstAt }) => ({ node, samples, p50Ms, p99Ms, worstMs, worstAt })))).toEqual(byNode(expected.nodes));
        expect(view.series.points).toEqual(expected.points);
        expect(view.bursts.map(({ at, nodes, worstMs }) => ({ at, nodes, worstMs }))).toEqual(expected.bursts);
      }
    }
    // The first range holds whole hours and edges; the second none (every minute from RenewRollup).
    const hoursOf = (from: number, to: number) => wholeHoursOf({ from: new Date(from), to: new Date(to) });
    expect(hoursOf(base + 7 * MINUTE + 13_000, base + 143 * MINUTE).to.getTime() - hoursOf(base + 7 * MINUTE + 13_000, base + 143 * MINUTE).from.getTime()).toBeGreaterThanOrEqual(HOUR);
    expect(hoursOf(base + 41 * MINUTE, base + 99 * MINUTE).to).toEqual(hoursOf(base + 41 * MINUTE, base + 99 * MINUTE).from);
    // Built afresh (the migration's backfill, the benchmark's seed): the same rows.
    const readAll = () =>
      Promise.all([
        db.store.prisma.nodeHeartbeatMinute.findMany({ orderBy: [{ clusterId: 'asc' }, { bucket: 'asc' }] }),
        db.store.prisma.nodeHeartbeatHour.findMany({ orderBy: [{ leaseId: 'asc' }, { bucket: 'asc' }] }),
        db.store.prisma.nodeHeartbeatTenMinute.findMany({ orderBy: [{ leaseId: 'asc' }, { bucket: 'asc' }] }),
      ]);
    const kept = await readAll();
    for (const statement of rebuildNodeHeartbeatRollupsSql) await db.store.pool.query(statement);
    const rebuilt = await readAll();
    expect(kept[2].length).toBeGreaterThan(nodes.length * 15);
    for (const [index, rows] of rebuilt.entries()) {
      expect(rows.map((row) => ({ ...row, intervalHist: histogram([row.intervalHist]) }))).toEqual(kept[index]!.map((row) => ({ ...row, intervalHist: histogram([row.intervalHist]) })));
    }

    // The per-node table reads RenewRollup only at the window's edges: with every minute row inside its whole
    // 10-minute blocks gone, it is unchanged (reading those minutes, as before the 10-minute tier, it would not be).
    const offTheHour = ranges[3]!;
    const tiers = windowTiersOf(offTheHour);
    expect(tiers.hours).toEqual([]);
    expect(tiers.blocks).toEqual([{ from: new Date(base + 50 * MINUTE), to: new Date(base + 100 * MINUTE) }]);
    expect(tiers.minutes).toEqual([{ from: offTheHour.from, to: new Date(base + 50 * MINUTE) }, { from: new Date(base + 100 * MINUTE), to: offTheHour.to }]);
    for (const cluster of clusters) {
      const before = (await getNodeHeartbeats(db.store, cluster.name, offTheHour, options))!.nodes;
      await db.store.pool.query(`DELETE FROM "RenewRollup" r USING "Lease" l WHERE l.id = r."leaseId" AND l."clusterId" = $1 AND r.bucket >= $2 AND r.bucket < $3`, [cluster.id, tiers.blocks[0]!.from, tiers.blocks[0]!.to]);
      expect((await getNodeHeartbeats(db.store, cluster.name, offTheHour, options))!.nodes).toEqual(before);
    }
    // The node tables follow the deletion, so the next seeds' checks see consistent merges.
    for (const statement of rebuildNodeHeartbeatRollupsSql) await db.store.pool.query(statement);
  });

  it('are partitioned by month and dropped by retention with RenewRollup, a whole partition at a time', async () => {
    expect(await db.store.prisma.nodeHeartbeatTenMinute.count()).toBeGreaterThan(0);
    const DAY = 86_400_000;
    const tables = ['NodeHeartbeatMinute', 'NodeHeartbeatTenMinute', 'NodeHeartbeatHour'] as const;
    const count = async (table: string) => Number((await db.store.pool.query<{ n: string }>(`SELECT count(*) AS n FROM "${table}"`)).rows[0]!.n);
    // The partition job creates the month of the test's rows (June 2025, older than the migration's months):
    // the rows that waited in DEFAULT move into it.
    const june = new Date('2025-06-01T00:00:00Z');
    const created = await maintainPartitions(db.store, { now: june, createFrom: june, retention: { rawSamplesMs: 1000 * DAY, rollupsMs: 1000 * DAY }, daysAhead: 0, monthsAhead: 0 });
    for (const table of tables) {
      expect(created.tables.find((t) => t.table === table)?.created).toContain(`${table}_m202506`);
      expect(await count(`${table}_default`)).toBe(0);
      expect(await count(`${table}_m202506`)).toBeGreaterThan(0);
    }
    const result = await maintainPartitions(db.store, { now: new Date(Date.parse('2025-09-15T00:00:00Z')), retention: { rawSamplesMs: 30 * DAY, rollupsMs: 30 * DAY } });
    for (const table of tables) {
      const maintained = result.tables.find((t) => t.table === table)!;
      expect(maintained.dropped).toContain(`${table}_m202506`);
      expect(maintained).toMatchObject({ deletedFromDefault: 0, failed: [], deferred: [], droppedBefore: new Date('2025-08-01T00:00:00Z') });
    }
    expect(await db.store.prisma.renewRollup.count()).toBe(0);
    expect(await expectMergesOfRenewRollup()).toEqual({ minutes: 0, hours: 0, blocks: 0 });
  });
});
