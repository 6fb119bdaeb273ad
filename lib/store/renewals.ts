import type { LeaseKey } from '../leases';
import type { Store } from './client';
import type { Prisma } from './generated/prisma/client';
import { sql, raw } from './sql';
import { leaseIdOf } from './lease-id';
import { getLeaseOrThrow } from './leases';
import { ENTRY_INDEX_OFFSET, ENTRY_MAX_COUNT, histogramIndex, PERCENTILE_RELATIVE_ERROR, percentilesOf, type HistogramBucket } from './renew-histogram';
import { epochMs } from './epoch-ms';
import { observedAtOf } from './renew-sample-sql';
import type { TimeRange } from './time-range';

type Db = Prisma.TransactionClient;

// Enough for any chart width; beyond it we send the worst renewal of each time bucket.
export const MAX_RENEWAL_POINTS = 5_000;

// observedAt: null for a sample seen in a list rather than a watch (no lag, so no observation time kept).
export type RenewalPoint = { renewTime: Date; observedAt: Date | null; intervalMs: number | null; lagMs: number | null };

export type Percentiles = { p50: number | null; p95: number | null; p99: number | null; p999: number | null; max: number | null };

// `percentileRelativeError` null: the percentiles are percentile_cont over every sample. A number: they come
// from per-minute histograms and each is within that relative error of it. Counts and max are exact.
// intervalCount: the samples with an interval (the first after a blind spot has none), what the interval percentiles rest on.
export type RenewalStats = { count: number; intervalCount: number; intervalMs: Percentiles; lagMs: Percentiles; percentileRelativeError: number | null };

export type RenewalSeries = {
  samples: RenewalPoint[];
  stats: RenewalStats;
  isDownsampled: boolean;
  bucketMs: number | null;
  // Set when the range starts before the oldest raw sample retention kept: from the range start to
  // here, points and percentiles come from the per-minute rollups only.
  rawFrom: Date | null;
};

export type ListRenewalsInput = { key: LeaseKey; range: TimeRange };

type StatsRow = { count: number; intervalCount: number; interval: number[] | null; intervalMax: number | null; lag: number[] | null; lagMax: number | null };

const MINUTE_MS = 60_000;
const fractions = [0.5, 0.95, 0.99, 0.999];

// Interpolated percentiles of whole milliseconds: a tenth of a millisecond is all the precision they carry.
const tenth = (value: number | null | undefined) => (value === null || value === undefined ? null : Math.round(value * 10) / 10);

// A bucket's representative may lie above the largest sample in it: no percentile exceeds the exact max.
function percentiles(values: Array<number | null> | null, max: number | null): Percentiles {
  const capped = (value: number | null | undefined) => tenth(value === null || value === undefined || max === null ? value : Math.min(value, max));
  return { p50: capped(values?.[0]), p95: capped(values?.[1]), p99: capped(values?.[2]), p999: capped(values?.[3]), max };
}

// The whole minutes of the range that RenewRollup holds, and the raw rows around them.
type Split = { leaseId: number; range: TimeRange; rolled: TimeRange };

type LeaseAndProgress = { leaseId: number; rolledUntil: number | null; rawFrom: number | null };

// The lease, how far the rollups reach and where raw samples begin, in one round trip; no row:
// getLeaseOrThrow says why.
async function leaseAndProgress(store: Store, key: LeaseKey): Promise<LeaseAndProgress> {
  const query = sql`SELECT ${leaseIdOf(key)} AS "leaseId", (SELECT ${epochMs(sql`"rolledUntil"`)} FROM "RollupProgress" WHERE job = 'renewals') AS "rolledUntil",
                                  (SELECT ${epochMs(sql`"droppedBefore"`)} FROM "RetentionHorizon" WHERE "table" = 'RenewSample') AS "rawFrom"`;
  const { rows } = await store.pool.query<{ leaseId: number | null; rolledUntil: number | null; rawFrom: number | null }>(query.text, query.values);
  const row = rows[0];
  const progress = { rolledUntil: row?.rolledUntil ?? null, rawFrom: row?.rawFrom ?? null };
  if (!row || row.leaseId === null) return { leaseId: (await getLeaseOrThrow(store, key)).id, ...progress };
  return { leaseId: row.leaseId, ...progress };
}

function splitRange(leaseId: number, range: TimeRange, rolledUntil: number | null): Split | null {
  if (rolledUntil === null) return null;
  const from = Math.ceil(range.from.getTime() / MINUTE_MS) * MINUTE_MS;
  const to = Math.min(Math.floor(range.to.getTime() / MINUTE_MS) * MINUTE_MS, rolledUntil);
  return to > from ? { leaseId, range, rolled: { from: new Date(from), to: new Date(to) } } : null;
}

const rolledRows = ({ leaseId, rolled }: Split) =>
  sql`"leaseId" = ${leaseId} AND bucket >= ${rolled.from}::timestamptz AND bucket < ${rolled.to}::timestamptz`;

const rawRows = ({ leaseId, range, rolled }: Split) =>
  sql`"leaseId" = ${leaseId} AND (("renewTime" >= ${range.from}::timestamptz AND "renewTime" < ${rolled.from}::timestamptz)
                                      OR ("renewTime" >= ${rolled.to}::timestamptz AND "renewTime" < ${range.to}::timestamptz))`;

type RolledStatsRow = { count: number; intervalMax: number | null; lagMax: number | null; intervalEntries: string | null; lagEntries: string | null };

// Count, max and merged histograms of the range in one statement (one snapshot). The histograms come
// back as the rollups' packed entries joined into one string, the raw rows packed alike: merging
// them in JS costs a third of unnest … GROUP BY in SQL.
async function rolledStatsOf(store: Store, split: Split): Promise<RolledStatsRow> {
  const packed = (column: string) => sql`((${histogramIndex(raw(`"${column}"`))} + ${raw(String(ENTRY_INDEX_OFFSET))}) << 16) | 1`;
  const query = sql`
    WITH rolled AS (SELECT "sampleCount", "intervalMaxMs", "lagMaxMs", "intervalHist", "lagHist" FROM "RenewRollup" WHERE ${rolledRows(split)}),
         raw AS (SELECT "intervalMs", "lagMs" FROM "RenewSample" WHERE ${rawRows(split)})
    SELECT ((SELECT coalesce(sum("sampleCount"), 0) FROM rolled) + (SELECT count(*) FROM raw))::int AS count,
           greatest((SELECT max("intervalMaxMs") FROM rolled), (SELECT max("intervalMs") FROM raw)) AS "intervalMax",
           greatest((SELECT max("lagMaxMs") FROM rolled), (SELECT max("lagMs") FROM raw)) AS "lagMax",
           concat_ws(',', (SELECT string_agg(array_to_string("intervalHist", ','), ',') FROM rolled),
                          (SELECT string_agg((${packed('intervalMs')})::text, ',') FROM raw WHERE "intervalMs" IS NOT NULL)) AS "intervalEntries",
           concat_ws(',', (SELECT string_agg(array_to_string("lagHist", ','), ',') FROM rolled),
                          (SELECT string_agg((${packed('lagMs')})::text, ',') FROM raw WHERE "lagMs" IS NOT NULL)) AS "lagEntries"`;
  const { rows } = await store.pool.query<RolledStatsRow>(query.text, query.values);
  return rows[0] ?? { count: 0, intervalMax: null, lagMax: null, intervalEntries: null, lagEntries: null };
}

function mergeEntries(entries: string | null): HistogramBucket[] {
  const counts = new Map<number, number>();
  if (entries) {
    for (const text of entries.split(',')) {
      if (text === '') continue;
      const entry = Number(text);
      const index = (entry >> 16) - ENTRY_INDEX_OFFSET;
      counts.set(index, (counts.get(index) ?? 0) + (entry & ENTRY_MAX_COUNT));
    }
  }
  return [...counts].map(([index, count]) => ({ index, count }));
}

// Long ranges: the worst renewal of each chart bucket (whole minutes, at most MAX_RENEWAL_POINTS of
// them) from the rollups' per-minute worst, and percentiles from their merged histograms.
async function rolledUpSeries(store: Store, split: Split, stats: RolledStatsRow): Promise<RenewalSeries> {
  const origin = Math.floor(split.range.from.getTime() / MINUTE_MS) * MINUTE_MS;
  const bucketMs = MINUTE_MS * Math.max(1, Math.ceil((split.range.to.getTime() - origin) / MAX_RENEWAL_POINTS / MINUTE_MS));
  const query = sql`
    SELECT DISTINCT ON (slot) ${epochMs(sql`"renewTime"`)} AS "renewTime", ${epochMs(raw(observedAtOf()))} AS "observedAt", "intervalMs", "lagMs"
      FROM (SELECT *, floor(extract(epoch FROM "renewTime" - ${new Date(origin)}::timestamptz) * 1000 / ${bucketMs}::int) AS slot
              FROM (SELECT "worstRenewTime" AS "renewTime", "intervalMaxMs" AS "intervalMs", "worstLagMs" AS "lagMs"
                      FROM "RenewRollup" WHERE ${rolledRows(split)}
                    UNION ALL
                    SELECT "renewTime", "intervalMs", "lagMs" FROM "RenewSample" WHERE ${rawRows(split)}) AS points) AS slotted
     ORDER BY slot, "intervalMs" DESC NULLS LAST, "renewTime"`;
  const { rows } = await store.pool.query<{ renewTime: number; observedAt: number | null; intervalMs: number | null; lagMs: number | null }>(query.text, query.values);
  const intervalBuckets = mergeEntries(stats.intervalEntries);
  return {
    samples: rows.map((row) => ({ renewTime: new Date(row.renewTime), observedAt: row.observedAt === null ? null : new Date(row.observedAt), intervalMs: row.intervalMs, lagMs: row.lagMs })),
    stats: {
      count: stats.count,
      intervalCount: intervalBuckets.reduce((sum, bucket) => sum + bucket.count, 0),
      intervalMs: percentiles(percentilesOf(intervalBuckets, fractions), stats.intervalMax),
      lagMs: percentiles(percentilesOf(mergeEntries(stats.lagEntries), fractions), stats.lagMax),
      percentileRelativeError: PERCENTILE_RELATIVE_ERROR,
    },
    isDownsampled: true,
    bucketMs,
    rawFrom: null,
  };
}

// Short ranges, and anything before the first rollup run: every raw sample, exact percentiles.
async function rawSeries(db: Db, leaseId: number, { from, to }: TimeRange): Promise<RenewalSeries> {
  const inRange = sql`"leaseId" = ${leaseId} AND "renewTime" >= ${from}::timestamptz AND "renewTime" < ${to}::timestamptz`;
  const [row] = await db.$queryRaw<StatsRow[]>(sql`
    SELECT count(*)::int AS count, count("intervalMs")::int AS "intervalCount",
           percentile_cont(${fractions}::float8[]) WITHIN GROUP (ORDER BY "intervalMs") AS interval,
           max("intervalMs") AS "intervalMax",
           percentile_cont(${fractions}::float8[]) WITHIN GROUP (ORDER BY "lagMs") AS lag,
           max("lagMs") AS "lagMax"
      FROM "RenewSample"
     WHERE ${inRange}`);
  const count = row?.count ?? 0;
  const stats = {
    count,
    intervalCount: row?.intervalCount ?? 0,
    intervalMs: percentiles(row?.interval ?? null, row?.intervalMax ?? null),
    lagMs: percentiles(row?.lag ?? null, row?.lagMax ?? null),
    percentileRelativeError: null,
  };

  if (count <= MAX_RENEWAL_POINTS) {
    const samples = await db.$queryRaw<RenewalPoint[]>(sql`
      SELECT "renewTime", ${raw(observedAtOf())} AS "observedAt", "intervalMs", "lagMs" FROM "RenewSample" WHERE ${inRange} ORDER BY "renewTime"`);
    return { samples, stats, isDownsampled: false, bucketMs: null, rawFrom: null };
  }

  const bucketMs = Math.ceil((to.getTime() - from.getTime()) / MAX_RENEWAL_POINTS);
  const samples = await db.$queryRaw<RenewalPoint[]>(sql`
    SELECT DISTINCT ON (bucket) "renewTime", ${raw(observedAtOf())} AS "observedAt", "intervalMs", "lagMs"
      FROM (SELECT "renewTime", "intervalMs", "lagMs",
                   floor(extract(epoch FROM "renewTime" - ${from}::timestamptz) * 1000 / ${bucketMs}::int) AS bucket
              FROM "RenewSample"
             WHERE ${inRange}) AS bucketed
     ORDER BY bucket, "intervalMs" DESC NULLS LAST, "renewTime"`);
  return { samples, stats, isDownsampled: true, bucketMs, rawFrom: null };
}

// A range with at most MAX_RENEWAL_POINTS samples is answered from raw samples, exactly; a longer one,
// or one reaching back before retention dropped the raw samples, from RenewRollup for its whole
// rolled-up minutes plus raw samples for the rest (rawFrom says where raw data begins). Those statements
// need no common snapshot: the split is fixed before them, and retention drops only whole days that
// the rollups already hold.
export async function listRenewals(store: Store, input: ListRenewalsInput): Promise<RenewalSeries> {
  const { leaseId, rolledUntil, rawFrom } = await leaseAndProgress(store, input.key);
  const isRawDropped = rawFrom !== null && input.range.from.getTime() < rawFrom;
  const flagged = (series: RenewalSeries): RenewalSeries => ({ ...series, rawFrom: isRawDropped ? new Date(rawFrom) : null });
  const split = splitRange(leaseId, input.range, rolledUntil);
  if (split) {
    const stats = await rolledStatsOf(store, split);
    if (stats.count > MAX_RENEWAL_POINTS || isRawDropped) return flagged(await rolledUpSeries(store, split, stats));
  }
  // One snapshot, so the count that decides on downsampling is the count of the rows we return.
  const series = await store.prisma.$transaction((tx) => rawSeries(tx, leaseId, input.range), { isolationLevel: 'RepeatableRead', timeout: 30_000 });
  return flagged(series);
}
