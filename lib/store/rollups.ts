import type { Logger } from '../log';
import { inTransaction, queryRow, type PgStore, type Queryable } from './pg-store';
import { type Sql, sql, raw, empty } from './sql';
import { defaultTableName, renewSamplePartitions } from './partitions';
import { PeriodicJob, type Clock } from './periodic-job';
import { nodeHeartbeatUpserts, writtenColumns } from './node-heartbeat-rollups';
import { ENTRY_INDEX_OFFSET, ENTRY_MAX_COUNT, histogramIndex } from './renew-histogram';
import { readProgress, saveProgress } from './rollup-progress';
import { rollUpTimelines, type TimelineRollUpResult } from './timeline-rollups';


const MINUTE_MS = 60_000;
// A minute is rolled up once it ended this long ago: renewals are stored a few seconds after renewTime.
export const ROLLUP_SETTLE_MS = 2 * MINUTE_MS;
// Every run aggregates the last minutes again, so a sample stored up to this late still counts.
export const ROLLUP_RESTATE_MS = 10 * MINUTE_MS;
// A sample stored later than this after its renewTime is queued (the RenewSample_queue_late trigger,
// whose interval a test holds equal to this): half the restated window, the other half is the margin
// for a run that starts late or is skipped while another replica holds the lock.
export const LATE_SAMPLE_MS = ROLLUP_RESTATE_MS / 2;
// One transaction per hour of samples: a backfill of days never holds one long transaction.
export const ROLLUP_CHUNK_MS = 60 * MINUTE_MS;
export const ROLLUP_INTERVAL_MS = MINUTE_MS;

// Replicas take turns: whoever holds this lock rolls up, the others skip the run.
const rollupLockNamespace = 0x4c41;
const rollupLockKey = 2;

const floorToMinute = (ms: number) => Math.floor(ms / MINUTE_MS) * MINUTE_MS;

async function firstSampleMinute(db: Queryable): Promise<Date | null> {
  // One index probe per lease instead of a scan of every sample.
  const row = await queryRow<{ first: Date | null }>(
    db,
    sql`
    SELECT min(f."renewTime") AS first
      FROM "Lease" l
     CROSS JOIN LATERAL (SELECT "renewTime" FROM "RenewSample" s WHERE s."leaseId" = l.id ORDER BY "renewTime" LIMIT 1) f`,
  );
  return row?.first ? new Date(floorToMinute(row.first.getTime())) : null;
}

// Histogram entries of both arrays, counts of one index summed, packed again (a count past the maximum
// takes several entries, as the rollup writes them).
function mergedHistogram(a: Sql, b: Sql): Sql {
  const maxCount = raw(String(ENTRY_MAX_COUNT));
  return sql`(SELECT coalesce(array_agg(((m.k << 16) | least(${maxCount}, m.n - part * ${maxCount}))::int ORDER BY m.k, part), '{}')
      FROM (SELECT e >> 16 AS k, sum(e & 65535)::int AS n FROM unnest(${a} || ${b}) AS e GROUP BY 1) m
     CROSS JOIN LATERAL generate_series(0, (m.n - 1) / ${maxCount}) AS part)`;
}

// The slowest renewal of both rows (the rollup's order: interval descending, nulls last, then earliest).
const isExcludedWorse = sql`(
  (EXCLUDED."intervalMaxMs" IS NOT NULL AND (r."intervalMaxMs" IS NULL OR EXCLUDED."intervalMaxMs" > r."intervalMaxMs"
    OR (EXCLUDED."intervalMaxMs" = r."intervalMaxMs" AND EXCLUDED."worstRenewTime" < r."worstRenewTime")))
  OR (EXCLUDED."intervalMaxMs" IS NULL AND r."intervalMaxMs" IS NULL AND EXCLUDED."worstRenewTime" < r."worstRenewTime"))`;

const replaceRollup = sql`
    ON CONFLICT ("leaseId", bucket) DO UPDATE SET
      "sampleCount" = EXCLUDED."sampleCount", "intervalMaxMs" = EXCLUDED."intervalMaxMs", "lagMaxMs" = EXCLUDED."lagMaxMs",
      "worstRenewTime" = EXCLUDED."worstRenewTime", "worstLagMs" = EXCLUDED."worstLagMs",
      "intervalHist" = EXCLUDED."intervalHist", "lagHist" = EXCLUDED."lagHist"
    WHERE (r."sampleCount", r."intervalMaxMs", r."lagMaxMs", r."worstRenewTime", r."worstLagMs", r."intervalHist", r."lagHist")
          IS DISTINCT FROM
          (EXCLUDED."sampleCount", EXCLUDED."intervalMaxMs", EXCLUDED."lagMaxMs", EXCLUDED."worstRenewTime", EXCLUDED."worstLagMs", EXCLUDED."intervalHist", EXCLUDED."lagHist")`;

// Adds samples to a minute whose other samples are no longer there to aggregate again.
const mergeRollup = sql`
    ON CONFLICT ("leaseId", bucket) DO UPDATE SET
      "sampleCount" = r."sampleCount" + EXCLUDED."sampleCount",
      "intervalMaxMs" = greatest(r."intervalMaxMs", EXCLUDED."intervalMaxMs"), "lagMaxMs" = greatest(r."lagMaxMs", EXCLUDED."lagMaxMs"),
      "worstRenewTime" = CASE WHEN ${isExcludedWorse} THEN EXCLUDED."worstRenewTime" ELSE r."worstRenewTime" END,
      "worstLagMs" = CASE WHEN ${isExcludedWorse} THEN EXCLUDED."worstLagMs" ELSE r."worstLagMs" END,
      "intervalHist" = ${mergedHistogram(sql`r."intervalHist"`, sql`EXCLUDED."intervalHist"`)},
      "lagHist" = ${mergedHistogram(sql`r."lagHist"`, sql`EXCLUDED."lagHist"`)}`;

// Aggregates every (lease, minute) of `samples` (leaseId, bucket, renewTime, intervalMs, lagMs): by
// default the minute's row is recomputed from the raw rows (the same input always writes the same
// rows, and a row is rewritten only when its samples changed); with mergeRollup they are added to it.
function rollUpSql(samples: Sql, before: Sql = empty, onConflict: Sql = replaceRollup): Sql {
  const entry = (index: Sql, count: Sql) =>
    sql`((${index} + ${raw(String(ENTRY_INDEX_OFFSET))}) << 16) | ${count}`;
  const maxCount = raw(String(ENTRY_MAX_COUNT));
  return sql`
    WITH ${before} samples AS MATERIALIZED (${samples}), counted AS (
      SELECT "leaseId", bucket, 'interval' AS series, ${histogramIndex(sql`"intervalMs"`)} AS k, count(*)::int AS n
        FROM samples WHERE "intervalMs" IS NOT NULL GROUP BY 1, 2, 4
      UNION ALL
      SELECT "leaseId", bucket, 'lag', ${histogramIndex(sql`"lagMs"`)}, count(*)::int
        FROM samples WHERE "lagMs" IS NOT NULL GROUP BY 1, 2, 4
    ), histograms AS (
      SELECT "leaseId", bucket, series, array_agg(${entry(sql`k`, sql`least(${maxCount}, n - part * ${maxCount})`)} ORDER BY k, part) AS entries
        FROM counted CROSS JOIN LATERAL generate_series(0, (n - 1) / ${maxCount}) AS part
       GROUP BY 1, 2, 3
    ), worst AS (
      SELECT DISTINCT ON ("leaseId", bucket) "leaseId", bucket, "renewTime", "intervalMs", "lagMs"
        FROM samples ORDER BY "leaseId", bucket, "intervalMs" DESC NULLS LAST, "renewTime"
    ), totals AS (
      SELECT "leaseId", bucket, count(*)::int AS n, max("lagMs") AS "lagMaxMs" FROM samples GROUP BY 1, 2
    ), written AS (
      INSERT INTO "RenewRollup" AS r ("leaseId", bucket, "sampleCount", "intervalMaxMs", "lagMaxMs", "worstRenewTime", "worstLagMs", "intervalHist", "lagHist")
      SELECT t."leaseId", t.bucket, t.n, w."intervalMs", t."lagMaxMs", w."renewTime", w."lagMs", coalesce(i.entries, '{}'), coalesce(l.entries, '{}')
        FROM totals t
        JOIN worst w ON w."leaseId" = t."leaseId" AND w.bucket = t.bucket
        LEFT JOIN histograms i ON i."leaseId" = t."leaseId" AND i.bucket = t.bucket AND i.series = 'interval'
        LEFT JOIN histograms l ON l."leaseId" = t."leaseId" AND l.bucket = t.bucket AND l.series = 'lag'
      ${onConflict}
      RETURNING ${writtenColumns}
    ), ${nodeHeartbeatUpserts}
    SELECT count(*)::int AS n FROM written`;
}

// Runs a rollUpSql statement: the RenewRollup rows it inserted or changed.
async function runRollUp(db: Queryable, statement: Sql): Promise<number> {
  const row = await queryRow<{ n: number }>(db, statement);
  return row?.n ?? 0;
}

const samplesBetween = (from: Date, to: Date) => sql`
  SELECT s."leaseId", date_trunc('minute', s."renewTime", 'UTC') AS bucket, s."renewTime", s."intervalMs", s."lagMs"
    FROM "RenewSample" s
   WHERE s."renewTime" >= ${from}::timestamptz AND s."renewTime" < ${to}::timestamptz
     AND EXISTS (SELECT 1 FROM "Lease" l WHERE l.id = s."leaseId")`;

// Queued (lease, minute) pairs are taken off the queue in the statement that aggregates them again.
// Before the retention horizon a minute's raw rows are normally gone: the late samples then sit in
// DEFAULT (their day has no partition), are taken out of it and added to the minute's rollup, so each
// counts once. A minute before the horizon whose day partition is still attached (its drop was
// deferred) still has every raw row and is aggregated again like any other.
// A batch is the next pairs in the queue's key order, read off its primary key without sorting the queue.
const PENDING_BATCH = 10_000;

const horizonCte = sql`horizon AS (SELECT coalesce((SELECT "droppedBefore" FROM "RetentionHorizon" WHERE "table" = 'RenewSample'), '-infinity') AS at)`;
const rawRowsOf = (leaseId: Sql, bucket: Sql) => sql`EXISTS (
    SELECT 1 FROM "RenewSample" s WHERE s."leaseId" = ${leaseId} AND s."renewTime" >= ${bucket} AND s."renewTime" < ${bucket} + interval '1 minute'
       AND s.tableoid <> ${raw(`'"${defaultTableName(renewSamplePartitions)}"'`)}::regclass)`;

const takePending = sql`${horizonCte}, taken AS (
    DELETE FROM "RenewRollupPending" p
     WHERE ("leaseId", bucket) IN (
       SELECT q."leaseId", q.bucket FROM "RenewRollupPending" q
        WHERE q.bucket >= (SELECT at FROM horizon) OR ${rawRowsOf(sql`q."leaseId"`, sql`q.bucket`)}
        ORDER BY q."leaseId", q.bucket LIMIT ${PENDING_BATCH})
    RETURNING p."leaseId", p.bucket
  ),`;

const pendingSamples = sql`
  SELECT s."leaseId", t.bucket, s."renewTime", s."intervalMs", s."lagMs"
    FROM taken t
    JOIN "RenewSample" s ON s."leaseId" = t."leaseId" AND s."renewTime" >= t.bucket AND s."renewTime" < t.bucket + interval '1 minute'
   WHERE EXISTS (SELECT 1 FROM "Lease" l WHERE l.id = s."leaseId")`;

const takeStranded = sql`${horizonCte}, taken AS (
    DELETE FROM "RenewRollupPending" p
     WHERE ("leaseId", bucket) IN (
       SELECT q."leaseId", q.bucket FROM "RenewRollupPending" q
        WHERE q.bucket < (SELECT at FROM horizon) AND NOT ${rawRowsOf(sql`q."leaseId"`, sql`q.bucket`)}
        ORDER BY q."leaseId", q.bucket LIMIT ${PENDING_BATCH})
    RETURNING p."leaseId", p.bucket
  ), consumed AS (
    DELETE FROM ${raw(`"${defaultTableName(renewSamplePartitions)}"`)} d USING taken t
     WHERE d."leaseId" = t."leaseId" AND d."renewTime" >= t.bucket AND d."renewTime" < t.bucket + interval '1 minute'
    RETURNING d."leaseId", t.bucket, d."renewTime", d."intervalMs", d."lagMs"
  ),`;

const strandedSamples = sql`SELECT * FROM consumed c WHERE EXISTS (SELECT 1 FROM "Lease" l WHERE l.id = c."leaseId")`;

export type RollUpOptions = { now: Date; settleMs?: number; restateMs?: number; chunkMs?: number; signal?: AbortSignal };

export type RollUpResult = { isSkipped: boolean; rolledUntil: Date | null; chunks: number; rowsWritten: number; lateRowsWritten: number };

type Step = { kind: 'locked' } | { kind: 'done'; rolledUntil: Date | null } | { kind: 'chunk'; rolledUntil: Date; rowsWritten: number };

// Aggregates every closed minute not yet rolled up (and the last ROLLUP_RESTATE_MS again), an hour of
// samples per transaction, progress saved with each. Safe to run anywhere, any number of times.
export async function rollUpRenewals(store: PgStore, options: RollUpOptions): Promise<RollUpResult> {
  const closedUntil = floorToMinute(options.now.getTime() - (options.settleMs ?? ROLLUP_SETTLE_MS));
  // Whole minutes only: a chunk ending inside a minute would overwrite it with part of its samples.
  const restateMs = Math.ceil((options.restateMs ?? ROLLUP_RESTATE_MS) / MINUTE_MS) * MINUTE_MS;
  const chunkMs = Math.max(1, Math.round((options.chunkMs ?? ROLLUP_CHUNK_MS) / MINUTE_MS)) * MINUTE_MS;
  const result: RollUpResult = { isSkipped: false, rolledUntil: null, chunks: 0, rowsWritten: 0, lateRowsWritten: 0 };
  while (!options.signal?.aborted) {
    const isFirstChunk = result.chunks === 0;
    const step = await inTransaction(
      store.pool,
      async (tx): Promise<Step> => {
        const lock = await queryRow<{ locked: boolean }>(tx, sql`SELECT pg_try_advisory_xact_lock(${rollupLockNamespace}::int, ${rollupLockKey}::int) AS locked`);
        if (!lock?.locked) return { kind: 'locked' };
        const rolledUntil = (await readProgress(tx, 'renewals'))?.rolledUntil ?? null;
        const start = rolledUntil ?? (await firstSampleMinute(tx)) ?? new Date(closedUntil);
        const from = isFirstChunk && rolledUntil ? start.getTime() - restateMs : start.getTime();
        if (from >= closedUntil) {
          if (!rolledUntil && start.getTime() <= closedUntil) await saveProgress(tx, 'renewals', start);
          return { kind: 'done', rolledUntil: rolledUntil ?? (start.getTime() <= closedUntil ? start : null) };
        }
        const to = Math.min(closedUntil, Math.max(start.getTime(), from) + chunkMs);
        const rowsWritten = await runRollUp(tx, rollUpSql(samplesBetween(new Date(from), new Date(to))));
        const until = new Date(Math.max(start.getTime(), to));
        await saveProgress(tx, 'renewals', until);
        return { kind: 'chunk', rolledUntil: until, rowsWritten };
      },
      { timeoutMs: 300_000 },
    );
    if (step.kind === 'locked') return { ...result, isSkipped: result.chunks === 0 };
    result.rolledUntil = step.rolledUntil;
    if (step.kind === 'done') break;
    result.chunks += 1;
    result.rowsWritten += step.rowsWritten;
  }
  result.lateRowsWritten = await rollUpLateSamples(store, options.signal);
  return result;
}

// Minutes that received samples after they were aggregated (the trigger on RenewSample queues them).
async function rollUpLateSamples(store: PgStore, signal?: AbortSignal): Promise<number> {
  let written = 0;
  while (!signal?.aborted) {
    const step = await inTransaction(
      store.pool,
      async (tx) => {
        const lock = await queryRow<{ locked: boolean }>(tx, sql`SELECT pg_try_advisory_xact_lock(${rollupLockNamespace}::int, ${rollupLockKey}::int) AS locked`);
        if (!lock?.locked) return null;
        const queued = await queryRow<{ any: boolean }>(tx, sql`SELECT EXISTS (SELECT 1 FROM "RenewRollupPending") AS any`);
        if (!queued?.any) return null;
        const merged = await runRollUp(tx, rollUpSql(strandedSamples, takeStranded, mergeRollup));
        return merged + (await runRollUp(tx, rollUpSql(pendingSamples, takePending)));
      },
      { timeoutMs: 300_000 },
    );
    if (step === null) return written;
    written += step;
  }
  return written;
}

export type RollupJobOptions = {
  store: PgStore;
  log: Logger;
  clock?: Clock;
  intervalMs?: number;
  settleMs?: number;
  restateMs?: number;
  chunkMs?: number;
};

export type RollupRun = { renewals: RollUpResult; timelines: TimelineRollUpResult };

// The runnable: rolls up renew samples (per minute) and leader timelines (per hour) at start, catching
// up on whatever accumulated, then every minute. A failed run is logged and retried at the next tick;
// nothing is lost, the raw rows stay.
export class RollupJob extends PeriodicJob<RollupRun> {
  constructor(private readonly options: RollupJobOptions) {
    super({ what: 'rollup', log: options.log, intervalMs: options.intervalMs ?? ROLLUP_INTERVAL_MS, clock: options.clock });
  }

  protected async run(signal: AbortSignal): Promise<RollupRun> {
    const { store, log, settleMs, restateMs, chunkMs } = this.options;
    const now = new Date(this.clock.now());
    const renewals = await rollUpRenewals(store, { now, settleMs, restateMs, chunkMs, signal });
    const timelines = await rollUpTimelines(store, { now, signal });
    log.debug({ renewals: { ...renewals, rolledUntil: renewals.rolledUntil?.toISOString() ?? null }, timelines: { ...timelines, rolledUntil: timelines.rolledUntil?.toISOString() ?? null } }, 'rollups');
    return { renewals, timelines };
  }
}
