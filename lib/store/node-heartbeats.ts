import { burstSlotMs, mergeBurstSlots } from '../leases/heartbeat-bursts';
import type { NodeGapSeries, NodeGapStats, NodeHeartbeatOptions, NodeHeartbeatView } from '../api/context-dto';
import type { Store } from './client';
import { epochMs } from './epoch-ms';
import { sql, raw } from './sql';
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

// The whole UTC hours inside the range (read from NodeHeartbeatHour); the minutes before and after them come
// from RenewRollup. None when the range holds no whole hour: then every minute does.
export function wholeHoursOf(range: TimeRange): { from: Date; to: Date } {
  const from = Math.ceil(range.from.getTime() / hourMs) * hourMs;
  const to = Math.floor(range.to.getTime() / hourMs) * hourMs;
  return from < to ? { from: new Date(from), to: new Date(to) } : { from: range.from, to: range.from };
}

// Everything comes from rollups, never from raw samples (at 5,000 nodes a day of raw heartbeats is 43 million
// rows): the table from NodeHeartbeatHour and, at the range's edges, RenewRollup; the cluster's series from
// NodeHeartbeatMinute; bursts from the RenewRollup rows of only the minutes whose NodeHeartbeatMinute has a
// gap above missedAboveMs.
export async function getNodeHeartbeats(store: Store, cluster: string, range: TimeRange, options: NodeHeartbeatOptions = defaultNodeHeartbeatOptions, node: string | null = null): Promise<NodeHeartbeatView | null> {
  const found = await store.prisma.cluster.findUnique({ where: { name: cluster }, select: { id: true } });
  if (!found) return null;
  const offset = raw(String(ENTRY_INDEX_OFFSET));
  const scope = sql`l."clusterId" = ${found.id} AND l.kind = 'node_heartbeat' AND r.bucket >= ${range.from}::timestamptz AND r.bucket < ${range.to}::timestamptz`;
  // Per node: its hour rows for the whole hours of the range, its minute rows for the rest (at most two
  // hours' worth at the edges), so a week reads about 170 rows per node, not 10,080.
  const hours = wholeHoursOf(range);
  const nodeLease = sql`l."clusterId" = ${found.id} AND l.kind = 'node_heartbeat'`;
  const perNode = sql`
    WITH src AS MATERIALIZED (
      SELECT r."leaseId", r."intervalHist", r."intervalMaxMs", r."worstRenewTime"
        FROM "NodeHeartbeatHour" r JOIN "Lease" l ON l.id = r."leaseId"
       WHERE ${nodeLease} AND r.bucket >= ${hours.from}::timestamptz AND r.bucket < ${hours.to}::timestamptz
      UNION ALL
      SELECT r."leaseId", r."intervalHist", r."intervalMaxMs", r."worstRenewTime"
        FROM "RenewRollup" r JOIN "Lease" l ON l.id = r."leaseId"
       WHERE ${scope} AND (r.bucket < ${hours.from}::timestamptz OR r.bucket >= ${hours.to}::timestamptz)
    ), h AS (
      SELECT "leaseId", (e >> 16) - ${offset} AS idx, sum(e & 65535)::bigint AS n FROM src CROSS JOIN unnest(src."intervalHist") AS e GROUP BY 1, 2
    ), c AS (
      SELECT "leaseId", idx, sum(n) OVER (PARTITION BY "leaseId" ORDER BY idx) AS cum, sum(n) OVER (PARTITION BY "leaseId") AS total FROM h
    ), p AS (
      SELECT "leaseId", max(total)::int AS samples, min(idx) FILTER (WHERE cum >= 0.5 * total) AS p50, min(idx) FILTER (WHERE cum >= 0.99 * total) AS p99 FROM c GROUP BY 1
    ), w AS (
      SELECT DISTINCT ON ("leaseId") "leaseId", "intervalMaxMs" AS worst, ${epochMs(sql`"worstRenewTime"`)} AS "worstAt"
        FROM src ORDER BY "leaseId", "intervalMaxMs" DESC NULLS LAST, "worstRenewTime"
    )
    SELECT l.name AS node, coalesce(p.samples, 0) AS samples, p.p50, p.p99, w.worst, w."worstAt"
      FROM w JOIN "Lease" l ON l.id = w."leaseId" LEFT JOIN p ON p."leaseId" = w."leaseId"`;
  const bursts = sql`
    SELECT floor(${epochMs(sql`r."worstRenewTime"`)} - r."intervalMaxMs")::bigint / ${burstSlotMs} * ${burstSlotMs} AS at, array_agg(DISTINCT r."leaseId") AS nodes, max(r."intervalMaxMs") AS "worstMs"
      FROM "NodeHeartbeatMinute" m
      JOIN "RenewRollup" r ON r.bucket = m.bucket
      JOIN "Lease" l ON l.id = r."leaseId"
     WHERE m."clusterId" = ${found.id} AND m.bucket >= ${range.from}::timestamptz AND m.bucket < ${range.to}::timestamptz AND m."intervalMaxMs" > ${options.missedAboveMs}
       AND ${scope} AND r."intervalMaxMs" > ${options.missedAboveMs}
     GROUP BY 1 ORDER BY 1`;
  const [{ rows: nodes }, { rows: slots }, totals, progress, series, nodeSeries] = await Promise.all([
    store.pool.query<{ node: string; samples: number; p50: number | null; p99: number | null; worst: number | null; worstAt: number | null }>(perNode.text, perNode.values),
    store.pool.query<{ at: string; nodes: number[]; worstMs: number }>(bursts.text, bursts.values),
    store.prisma.lease.count({ where: { clusterId: found.id, kind: 'node_heartbeat', deletedAt: null } }),
    store.prisma.rollupProgress.findUnique({ where: { job: 'renewals' }, select: { rolledUntil: true } }),
    getGapSeries(store, found.id, range, null),
    node === null ? null : getGapSeries(store, found.id, range, node),
  ]);
  const nearFrom = options.gracePeriodMs - options.nearMs;
  const stats = nodes.map(
    (row): NodeGapStats => ({
      node: row.node,
      samples: row.samples,
      p50Ms: gapPercentile(row.p50, row.worst),
      p99Ms: gapPercentile(row.p99, row.worst),
      worstMs: row.worst,
      worstAt: row.worstAt,
      isNearGrace: row.worst !== null && row.worst >= nearFrom && row.worst < options.gracePeriodMs,
      isPastGrace: row.worst !== null && row.worst >= options.gracePeriodMs,
    }),
  );
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
