import { burstSlotMs, mergeBurstSlots } from '../leases/heartbeat-bursts';
import type { NodeGapSeries, NodeGapStats, NodeHeartbeatOptions, NodeHeartbeatView } from '../api/context-dto';
import type { Store } from './client';
import { epochMs } from './epoch-ms';
import { GAP_INDEX_MIN_MS } from './alert-facts';
import { empty, join, raw, sql } from './sql';
import { ENTRY_INDEX_OFFSET, representativeOf } from './renew-histogram';
import type { TimeRange } from './time-range';

export const defaultNodeHeartbeatOptions: NodeHeartbeatOptions = { gracePeriodMs: 40_000, nearMs: 10_000, missedAboveMs: 15_000, burstMinNodes: 3, burstMinShare: 0.1, limit: 200 };

// About this many points per series (one more when the range does not start on a step): a week is drawn in
// 2-hour steps, an hour in minutes.
const maxSeriesPoints = 120;
const minuteMs = 60_000;

export function getSeriesStepMs(range: TimeRange): number {
  const spanMs = range.to.getTime() - range.from.getTime();
  return Math.max(1, Math.ceil(spanMs / maxSeriesPoints / minuteMs)) * minuteMs;
}

// A percentile read from its histogram bucket is that bucket's representative value, which can lie above
// the exact worst gap when the rank falls in the top bucket (few renewals in a minute): no percentile is
// above the maximum, so it is capped there.
export function gapPercentile(bucketIndex: number | null, worstMs: number | null): number | null {
  if (bucketIndex === null) return null;
  const value = Math.round(representativeOf(bucketIndex));
  return worstMs === null ? value : Math.min(value, worstMs);
}

// A merged histogram's sample count and the bucket indexes of its p50 and p99: the first bucket whose cumulative
// count reaches the fraction of the total (in whole numbers: 100 × cum ≥ 99 × total). `idx` is ascending.
export function histogramRanks(idx: readonly number[], counts: readonly number[]): [number, number | null, number | null] {
  const total = counts.reduce((sum, n) => sum + n, 0);
  let p50: number | null = null;
  let p99: number | null = null;
  let cum = 0;
  for (const [i, index] of idx.entries()) {
    cum += counts[i]!;
    if (p50 === null && 2 * cum >= total) p50 = index;
    if (p99 === null && 100 * cum >= 99 * total) p99 = index;
  }
  return [total, p50, p99];
}

// Renew gaps per time step: of the cluster, from NodeHeartbeatMinute (one row per minute, every node's
// histogram already merged); of one node, from its RenewRollup rows. `nodes` is the most nodes reporting in
// one minute of the step (one for a node).
export async function getGapSeries(store: Store, clusterId: number, range: TimeRange, node: string | null): Promise<NodeGapSeries> {
  const stepMs = getSeriesStepMs(range);
  const offset = raw(String(ENTRY_INDEX_OFFSET));
  const step = sql`(floor(${epochMs(sql`r.bucket`)} / ${stepMs}) * ${stepMs})::bigint`;
  const inRange = sql`r.bucket >= ${range.from}::timestamptz AND r.bucket < ${range.to}::timestamptz`;
  const rows = node === null
    ? sql`SELECT ${step} AS at, r."intervalHist", r."intervalMaxMs", r.nodes FROM "NodeHeartbeatMinute" r WHERE r."clusterId" = ${clusterId} AND ${inRange}`
    : sql`SELECT ${step} AS at, r."intervalHist", r."intervalMaxMs", 1 AS nodes
        FROM "RenewRollup" r JOIN "Lease" l ON l.id = r."leaseId"
       WHERE l."clusterId" = ${clusterId} AND l.kind = 'node_heartbeat' AND l.name = ${node} AND ${inRange}`;
  const query = sql`
    WITH m AS MATERIALIZED (${rows}), h AS (
      SELECT at, (e >> 16) - ${offset} AS idx, sum(e & 65535)::bigint AS n FROM m CROSS JOIN unnest(m."intervalHist") AS e GROUP BY 1, 2
    ), c AS (
      SELECT at, idx, sum(n) OVER (PARTITION BY at ORDER BY idx) AS cum, sum(n) OVER (PARTITION BY at) AS total FROM h
    ), p AS (
      SELECT at, min(idx) FILTER (WHERE cum >= 0.5 * total) AS p50, min(idx) FILTER (WHERE cum >= 0.99 * total) AS p99 FROM c GROUP BY 1
    ), w AS (
      SELECT at, max("intervalMaxMs") AS worst, max(nodes)::int AS nodes FROM m GROUP BY 1
    )
    SELECT w.at, w.worst, w.nodes, p.p50, p.p99 FROM w LEFT JOIN p ON p.at = w.at ORDER BY w.at`;
  const { rows: points } = await store.pool.query<{ at: string; worst: number | null; nodes: number; p50: number | null; p99: number | null }>(query.text, query.values);
  return {
    stepMs,
    points: points.map((row) => ({
      at: Number(row.at),
      p50Ms: gapPercentile(row.p50, row.worst),
      p99Ms: gapPercentile(row.p99, row.worst),
      worstMs: row.worst,
      nodes: row.nodes,
    })),
  };
}

const hourMs = 3_600_000;
const blockMs = 600_000;

export type Span = { from: Date; to: Date };

// The whole UTC hours inside the range (read from NodeHeartbeatHour); the minutes before and after them come
// from the finer tiers. None when the range holds no whole hour.
export function wholeHoursOf(range: TimeRange): Span {
  const from = Math.ceil(range.from.getTime() / hourMs) * hourMs;
  const to = Math.floor(range.to.getTime() / hourMs) * hourMs;
  return from < to ? { from: new Date(from), to: new Date(to) } : { from: range.from, to: range.from };
}

// The range cut into the tiers the per-node figures are read from, exactly covering its minutes (a minute
// counts when it starts inside [from, to), as everywhere in the view): its whole UTC hours from
// NodeHeartbeatHour, the whole 10-minute blocks around them from NodeHeartbeatTenMinute, and only the minutes
// left at the edges from RenewRollup (fewer than 10 at each end of a window on whole minutes; 10 when it ends
// within the minute after one). Per node a window reads at most 24 hour rows a day, 10 block rows and about 18
// minute rows, whatever its alignment; the bench's worst 1 h window 15 rows per node, not 60.
export function windowTiersOf(range: TimeRange): { hours: Span[]; blocks: Span[]; minutes: Span[] } {
  const from = range.from.getTime();
  const to = range.to.getTime();
  const whole = (unit: number): [number, number] | null => {
    const start = Math.ceil(from / unit) * unit;
    const end = Math.floor(to / unit) * unit;
    return start < end ? [start, end] : null;
  };
  // The part of `outer` outside `inner` (inner lies within outer).
  const around = (outer: [number, number], inner: [number, number] | null): Span[] =>
    (inner === null ? [outer] : [[outer[0], inner[0]] as const, [inner[1], outer[1]] as const]).filter(([a, b]) => a < b).map(([a, b]) => ({ from: new Date(a), to: new Date(b) }));
  const hours = whole(hourMs);
  const blocks = whole(blockMs);
  return {
    hours: hours === null ? [] : [{ from: new Date(hours[0]), to: new Date(hours[1]) }],
    blocks: blocks === null ? [] : around(blocks, hours),
    minutes: from < to ? around([from, to], blocks) : [],
  };
}

// Everything comes from rollups, never from raw samples (at 5,000 nodes a day of raw heartbeats is 43 million
// rows): the table from NodeHeartbeatHour, NodeHeartbeatTenMinute and, at the range's edges, RenewRollup; the
// cluster's series from NodeHeartbeatMinute; bursts from only the RenewRollup rows with a gap above
// missedAboveMs.
export async function getNodeHeartbeats(store: Store, cluster: string, range: TimeRange, options: NodeHeartbeatOptions = defaultNodeHeartbeatOptions, node: string | null = null): Promise<NodeHeartbeatView | null> {
  const found = await store.prisma.cluster.findUnique({ where: { name: cluster }, select: { id: true } });
  if (!found) return null;
  const offset = raw(String(ENTRY_INDEX_OFFSET));
  // Per node: one row per whole hour, per whole 10-minute block around them and per edge minute, so a week
  // reads about 190 rows per node, not 10,080, and an hour at most 15, not 60.
  const tiers = windowTiersOf(range);
  const nodeLease = sql`l."clusterId" = ${found.id} AND l.kind = 'node_heartbeat'`;
  const readTier = (table: string, spans: Span[]) =>
    spans.map(
      (span) => sql`SELECT r."leaseId", r."intervalHist", r."intervalMaxMs", r."worstRenewTime"
        FROM ${raw(`"${table}"`)} r JOIN "Lease" l ON l.id = r."leaseId"
       WHERE ${nodeLease} AND r.bucket >= ${span.from}::timestamptz AND r.bucket < ${span.to}::timestamptz`,
    );
  const parts = [...readTier('NodeHeartbeatHour', tiers.hours), ...readTier('NodeHeartbeatTenMinute', tiers.blocks), ...readTier('RenewRollup', tiers.minutes)];
  const source = parts.length > 0 ? join(parts, ' UNION ALL ') : sql`SELECT NULL::int AS "leaseId", NULL::int[] AS "intervalHist", NULL::int AS "intervalMaxMs", NULL::timestamptz AS "worstRenewTime" WHERE false`;
  // Per node, in one pass of aggregates (no sort, nothing materialized: a 6 h window off the hour is 100,000
  // rows at 5,000 nodes): its histogram merged (entries summed per bucket; the percentiles are read from it
  // below) and its worst gap with when, as one bigint whose maximum is the rollups' order — interval first
  // (none lowest), then the earliest renewal: (interval + 1) << 31 | (2^31 - 1 - ms since `base`).
  const base = Math.floor(range.from.getTime() / minuteMs) * minuteMs - minuteMs;
  if (range.to.getTime() - base >= 2 ** 31 - minuteMs) throw new RangeError('a Nodes view window is at most 24 days');
  const perNode = sql`
    WITH x AS (
      SELECT r."leaseId", (e >> 16) - ${offset} AS idx, (e & 65535) AS n,
             ((coalesce(r."intervalMaxMs", -1) + 1)::bigint << 31) | (2147483647 - (${epochMs(sql`r."worstRenewTime"`)}::bigint - ${base}::bigint)) AS k
        FROM (${source}) r LEFT JOIN LATERAL unnest(r."intervalHist") AS e ON true
    ), h AS (
      SELECT "leaseId", idx, sum(n)::bigint AS n, max(k) AS k FROM x GROUP BY 1, 2
    )
    SELECT l.name AS node, array_agg(h.idx ORDER BY h.idx) FILTER (WHERE h.idx IS NOT NULL) AS idx, array_agg(h.n ORDER BY h.idx) FILTER (WHERE h.idx IS NOT NULL) AS n, max(h.k) AS k
      FROM h JOIN "Lease" l ON l.id = h."leaseId" GROUP BY l.id, l.name`;
  // Only the minute rows with a gap above missedAboveMs, through the partial index RenewRollup_gap_idx (its
  // predicate, 11 s, written as a literal so the planner can prove the condition implies it): at 5,000 nodes
  // some node misses a renewal nearly every minute, and reading every node's row of such a minute would read
  // them all.
  const gapIndexed = options.missedAboveMs >= GAP_INDEX_MIN_MS - 1 ? raw(`r."intervalMaxMs" >= ${GAP_INDEX_MIN_MS} AND `) : empty;
  const bursts = sql`
    WITH g AS MATERIALIZED (
      SELECT r."leaseId", r."worstRenewTime", r."intervalMaxMs" FROM "RenewRollup" r
       WHERE ${gapIndexed}r."intervalMaxMs" > ${options.missedAboveMs} AND r.bucket >= ${range.from}::timestamptz AND r.bucket < ${range.to}::timestamptz
    )
    SELECT floor(${epochMs(sql`g."worstRenewTime"`)} - g."intervalMaxMs")::bigint / ${burstSlotMs} * ${burstSlotMs} AS at, array_agg(DISTINCT g."leaseId") AS nodes, max(g."intervalMaxMs") AS "worstMs"
      FROM g JOIN "Lease" l ON l.id = g."leaseId"
     WHERE l."clusterId" = ${found.id} AND l.kind = 'node_heartbeat'
     GROUP BY 1 ORDER BY 1`;
  const [{ rows: nodes }, { rows: slots }, totals, progress, series, nodeSeries] = await Promise.all([
    store.pool.query<{ node: string; idx: number[] | null; n: string[] | null; k: string }>(perNode.text, perNode.values),
    store.pool.query<{ at: string; nodes: number[]; worstMs: number }>(bursts.text, bursts.values),
    store.prisma.lease.count({ where: { clusterId: found.id, kind: 'node_heartbeat', deletedAt: null } }),
    store.prisma.rollupProgress.findUnique({ where: { job: 'renewals' }, select: { rolledUntil: true } }),
    getGapSeries(store, found.id, range, null),
    node === null ? null : getGapSeries(store, found.id, range, node),
  ]);
  const nearFrom = options.gracePeriodMs - options.nearMs;
  const stats = nodes.map((row): NodeGapStats => {
    const [samples, p50, p99] = histogramRanks(row.idx ?? [], (row.n ?? []).map(Number));
    const key = BigInt(row.k);
    const worstPlusOne = Number(key >> 31n);
    const worst = worstPlusOne === 0 ? null : worstPlusOne - 1;
    const worstAt = base + 2_147_483_647 - Number(key & 2_147_483_647n);
    return {
      node: row.node,
      samples,
      p50Ms: gapPercentile(p50, worst),
      p99Ms: gapPercentile(p99, worst),
      worstMs: worst,
      worstAt,
      isNearGrace: worst !== null && worst >= nearFrom && worst < options.gracePeriodMs,
      isPastGrace: worst !== null && worst >= options.gracePeriodMs,
    };
  });
  stats.sort((a, b) => (b.worstMs ?? -1) - (a.worstMs ?? -1) || a.node.localeCompare(b.node));
  const minNodes = Math.max(options.burstMinNodes, Math.ceil(totals * options.burstMinShare));
  return {
    cluster,
    totalNodes: totals,
    reportingNodes: stats.length,
    nearGraceNodes: stats.filter((node) => node.isNearGrace).length,
    pastGraceNodes: stats.filter((node) => node.isPastGrace).length,
    nodes: stats.slice(0, options.limit),
    bursts: mergeBurstSlots(slots.map((slot) => ({ at: Number(slot.at), nodes: slot.nodes, worstMs: slot.worstMs }))).filter((slot) => slot.nodes >= minNodes).map((slot) => ({ ...slot, totalNodes: totals })),
    series,
    selectedNode: node === null || nodeSeries === null ? null : { node, series: nodeSeries },
    rolledUntil: progress?.rolledUntil.getTime() ?? null,
    options,
  };
}
