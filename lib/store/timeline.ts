import type { Store } from './client';
import { epochMs } from './epoch-ms';
import { type Sql, sql } from './sql';
import { readWithinBudget, type BudgetedQuery } from './read-budget';
import { TIMELINE_BUCKET_MS } from './timeline-rollups';
import type { TimeRange } from './time-range';
import { toTransitionRecord, transitionRowColumns, type TransitionRecord, type TransitionRow } from './transitions';
import type { DegradedBandFact } from '../leases/failover-hint';
import type { WindowStartState } from '../timeline/window-start';
import { listWindowStartStates } from './window-start';

// `signal`: aborted when the client hangs up; the read then stops in PostgreSQL.
export type FleetTimelineInput = { cluster?: string; namespace?: string; range: TimeRange; leaseLimit: number; now: Date; signal?: AbortSignal };

// A stretch of a lease too busy to draw change by change: how many changes it holds, and where every
// ten-minute rollup of it is stored (and no blind spot of its cluster touches it), how it was led.
// `summary` null: only the counts are known for this stretch.
export type ChurnBucket = {
  start: number;
  end: number;
  failovers: number;
  missed: number;
  summary: { ledMs: number; leaderlessMs: number; unknownMs: number } | null;
};

export type FleetTimelineLease = {
  cluster: string;
  namespace: string;
  name: string;
  holderIdentity: string | null;
  holderSince: Date | null;
  stateAtStart: WindowStartState;
  // Null when every transition of the range is in `transitions`.
  churn: ChurnBucket[] | null;
};

export type FleetTimelineTransition = TransitionRecord & { cluster: string; namespace: string; name: string };

// An "API server degraded" band of a cluster with a lease in the answer, drawn on each of its rows.
export type FleetTimelineBand = DegradedBandFact & { cluster: string };

export type FleetTimeline = { leases: FleetTimelineLease[]; transitions: FleetTimelineTransition[]; hasMoreLeases: boolean; bands: FleetTimelineBand[]; hasMoreBands: boolean };

// What one answer may carry. A canvas row is at most ~2,000 px wide, so more changes than that cannot
// be told apart anyway; 20,000 transitions are ~6 MB of JSON. Beyond them a lease is drawn as churn.
// Churn buckets: at most 400 per lease and 40,000 per answer, so 500 busy leases get 80 each.
// Degraded bands: the newest 500 of the clusters in view (a flapping API server opens one every few seconds).
export const fleetTimelineLimits = { transitionsPerLease: 2_000, transitions: 20_000, churnBuckets: 400, churnBucketsTotal: 40_000, bands: 500, budgetMs: 10_000 };

type LeaseRow = { id: number; cluster: string; clusterId: number; namespace: string; name: string; holderIdentity: string | null; holderSince: number | null };
type GapRow = { clusterId: number; startedAt: number; endedAt: number | null };

const toQuery = (query: Sql) => ({ text: query.text, values: query.values });

// Every elected lease of the filter, stacked on one axis: failovers that happen together line up.
// Bounded whatever the range: leases are drawn change by change while they fit the transition budget
// (the quietest first), the rest as churn buckets read from the ten-minute rollups; the whole read runs
// within a time budget enforced by PostgreSQL.
export async function getFleetTimeline(store: Store, input: FleetTimelineInput, limits = fleetTimelineLimits): Promise<FleetTimeline> {
  const read = await readWithinBudget(store, { budgetMs: limits.budgetMs, what: 'the fleet timeline', signal: input.signal }, (query) => readFleetTimeline(query, input, limits));
  const states = await listWindowStartStates(
    store,
    read.leases.map((lease) => lease.id),
    input.range.from,
  );
  return {
    leases: read.leases.map((lease) => ({
      cluster: lease.cluster,
      namespace: lease.namespace,
      name: lease.name,
      holderIdentity: lease.holderIdentity,
      holderSince: lease.holderSince === null ? null : new Date(lease.holderSince),
      stateAtStart: states.get(lease.id) ?? { state: 'unknown', reason: 'not found' },
      churn: read.churn.get(lease.id) ?? null,
    })),
    transitions: read.transitions,
    hasMoreLeases: read.hasMoreLeases,
    bands: read.bands.slice(0, limits.bands),
    hasMoreBands: read.bands.length > limits.bands,
  };
}

async function readFleetTimeline(query: BudgetedQuery, input: FleetTimelineInput, limits: typeof fleetTimelineLimits) {
  const { from, to } = input.range;
  const leaseRows = await query<LeaseRow>(
    toQuery(sql`
      SELECT l.id, c.name AS cluster, c.id AS "clusterId", l.namespace, l.name, l."holderIdentity", ${epochMs(sql`l."holderSince"`)} AS "holderSince"
        FROM "Lease" l JOIN "Cluster" c ON c.id = l."clusterId"
       WHERE l.kind = 'election' AND l."deletedAt" IS NULL
         AND (${input.namespace ?? null}::text IS NULL OR l.namespace = ${input.namespace ?? null}::text)
         AND (${input.cluster ?? null}::text IS NULL OR c.name = ${input.cluster ?? null}::text)
       ORDER BY c.name, l.namespace, l.name
       LIMIT ${input.leaseLimit + 1}::int`),
  );
  const leases = leaseRows.slice(0, input.leaseLimit);
  const ids = leases.map((lease) => lease.id);

  // Counted only up to the per-lease limit: an index probe per lease, never a scan of a busy lease's month.
  const counts = await query<{ id: number; count: number }>(
    toQuery(sql`
      SELECT l.id, (SELECT count(*) FROM (SELECT 1 FROM "Transition" t WHERE t."leaseId" = l.id AND t.at >= ${from}::timestamptz AND t.at < ${to}::timestamptz
                                           LIMIT ${limits.transitionsPerLease + 1}::int) s)::int AS count
        FROM unnest(${ids}::int[]) AS l(id)`),
  );
  const drawn = new Set<number>();
  let budget = limits.transitions;
  for (const { id, count } of [...counts].sort((a, b) => a.count - b.count || a.id - b.id)) {
    if (count > limits.transitionsPerLease || count > budget) continue;
    drawn.add(id);
    budget -= count;
  }
  const byId = new Map(leases.map((lease) => [lease.id, lease]));
  const rows = await query<TransitionRow & { leaseId: number }>(
    toQuery(sql`
      SELECT "leaseId", ${transitionRowColumns}
        FROM "Transition"
       WHERE "leaseId" = ANY(${[...drawn]}::int[]) AND at >= ${from}::timestamptz AND at < ${to}::timestamptz
       ORDER BY at, id`),
  );
  const transitions = rows.map((row): FleetTimelineTransition => {
    const lease = byId.get(row.leaseId)!;
    return { ...toTransitionRecord(row), cluster: lease.cluster, namespace: lease.namespace, name: lease.name };
  });
  const churning = leases.filter((lease) => !drawn.has(lease.id));
  const bucketsPerLease = Math.max(1, Math.min(limits.churnBuckets, Math.floor(limits.churnBucketsTotal / Math.max(1, churning.length))));
  const churn = churning.length === 0 ? new Map<number, ChurnBucket[]>() : await readChurn(query, churning, { from: from.getTime(), until: Math.min(to.getTime(), input.now.getTime()) }, bucketsPerLease);
  const bands = await query<FleetTimelineBand>(
    toQuery(sql`
      SELECT b.id::text, c.name AS cluster, ${epochMs(sql`b."startedAt"`)} AS "startedAt", ${epochMs(sql`b."endedAt"`)} AS "endedAt", b.reason, b."stalledLeases", b."totalLeases"
        FROM "DegradedBand" b JOIN "Cluster" c ON c.id = b."clusterId"
       WHERE b."clusterId" = ANY(${[...new Set(leases.map((lease) => lease.clusterId))]}::int[])
         AND b."startedAt" < ${to}::timestamptz AND (b."endedAt" IS NULL OR b."endedAt" >= ${from}::timestamptz)
       ORDER BY b."startedAt" DESC, b.id DESC
       LIMIT ${limits.bands + 1}::int`),
  );
  return { leases, transitions, churn, bands, hasMoreLeases: leaseRows.length > input.leaseLimit };
}

export type ChurnGrid = { start: number; bucketMs: number; count: number };

// Display buckets on the rollups' ten-minute grid, at most `maxBuckets` of them over [from, until).
export function planChurnGrid(from: number, until: number, maxBuckets: number): ChurnGrid {
  const start = Math.floor(from / TIMELINE_BUCKET_MS) * TIMELINE_BUCKET_MS;
  const span = Math.max(0, until - start);
  const bucketMs = Math.max(1, Math.ceil(span / maxBuckets / TIMELINE_BUCKET_MS)) * TIMELINE_BUCKET_MS;
  return { start, bucketMs, count: until > from ? Math.ceil(span / bucketMs) : 0 };
}

async function readChurn(query: BudgetedQuery, leases: LeaseRow[], window: { from: number; until: number }, maxBuckets: number): Promise<Map<number, ChurnBucket[]>> {
  const grid = planChurnGrid(window.from, window.until, maxBuckets);
  const ids = leases.map((lease) => lease.id);
  const piecesPerBucket = grid.bucketMs / TIMELINE_BUCKET_MS;
  const [rolled, gaps] = await Promise.all([
    query<{ leaseId: number; i: number; pieces: number; ledMs: number; leaderlessMs: number; unknownMs: number; failovers: number; missed: number }>(
      toQuery(sql`
        SELECT "leaseId", floor((${epochMs(sql`bucket`)} - ${grid.start}::float8) / ${grid.bucketMs}::float8)::int AS i, count(*)::int AS pieces,
               sum("ledMs")::float8 AS "ledMs", sum("leaderlessMs")::float8 AS "leaderlessMs", sum("unknownMs")::float8 AS "unknownMs",
               sum(failovers)::int AS failovers, sum("missedCount")::int AS missed
          FROM "TimelineRollup"
         WHERE "leaseId" = ANY(${ids}::int[]) AND bucket >= ${new Date(grid.start)}::timestamptz AND bucket < ${new Date(window.until)}::timestamptz
         GROUP BY 1, 2`),
    ),
    query<GapRow>(
      toQuery(sql`
        SELECT "clusterId", ${epochMs(sql`"startedAt"`)} AS "startedAt", ${epochMs(sql`"endedAt"`)} AS "endedAt"
          FROM "ObservationGap"
         WHERE "clusterId" = ANY(${[...new Set(leases.map((lease) => lease.clusterId))]}::int[])
           AND "startedAt" < ${new Date(window.until)}::timestamptz AND ("endedAt" IS NULL OR "endedAt" > ${new Date(grid.start)}::timestamptz)`),
    ),
  ]);
  const rolledOf = new Map(rolled.map((row) => [`${row.leaseId}/${row.i}`, row]));
  const buckets = new Map<number, ChurnBucket[]>();
  const uncounted: Array<{ leaseId: number; bucket: ChurnBucket }> = [];
  for (const lease of leases) {
    const list: ChurnBucket[] = [];
    for (let i = 0; i < grid.count; i += 1) {
      const gridStart = grid.start + i * grid.bucketMs;
      const start = Math.max(window.from, gridStart);
      const end = Math.min(window.until, gridStart + grid.bucketMs);
      const row = rolledOf.get(`${lease.id}/${i}`);
      const isBlind = gaps.some((gap) => gap.clusterId === lease.clusterId && gap.startedAt < end && (gap.endedAt ?? Infinity) > start);
      // A rollup row covers ten whole minutes: only a bucket inside the window, wholly rolled up and
      // clear of blind spots may take its sums; every other one counts its transitions.
      if (row && row.pieces === piecesPerBucket && start === gridStart && end === gridStart + grid.bucketMs && !isBlind) {
        list.push({ start, end, failovers: row.failovers, missed: row.missed, summary: { ledMs: row.ledMs, leaderlessMs: row.leaderlessMs, unknownMs: row.unknownMs } });
      } else {
        const bucket: ChurnBucket = { start, end, failovers: 0, missed: 0, summary: null };
        list.push(bucket);
        uncounted.push({ leaseId: lease.id, bucket });
      }
    }
    buckets.set(lease.id, list);
  }
  if (uncounted.length > 0) {
    // Bucket bounds as epoch milliseconds: up to 80,000 of them, and node-postgres formats a Date parameter
    // in JavaScript, ~5 µs each on the event loop.
    const counted = await query<{ i: number; failovers: number; missed: number }>(
      toQuery(sql`
        SELECT r.i::int AS i, count(t.id) FILTER (WHERE t.kind = 'acquired' AND t.cause <> 'first')::int AS failovers, coalesce(sum(t."missedCount"), 0)::int AS missed
          FROM unnest(${uncounted.map((u) => u.leaseId)}::int[], ${uncounted.map((u) => u.bucket.start)}::int8[], ${uncounted.map((u) => u.bucket.end)}::int8[])
               WITH ORDINALITY AS r(lease, a, b, i)
          LEFT JOIN "Transition" t ON t."leaseId" = r.lease AND t.at >= timestamptz 'epoch' + r.a * interval '1 millisecond' AND t.at < timestamptz 'epoch' + r.b * interval '1 millisecond'
         GROUP BY r.i`),
    );
    for (const row of counted) {
      const { bucket } = uncounted[row.i - 1]!;
      bucket.failovers = row.failovers;
      bucket.missed = row.missed;
    }
  }
  return buckets;
}
