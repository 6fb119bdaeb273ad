import { globToLike } from '../alerts/patterns';
import { parseLabelSelector } from '../leases/label-selector';
import { summarizeLeaseWindow, type LeaseWindowSummary } from '../audit/lease-window';
import { buildTimeline, type Segment, type TimelineGap, type TimelineTransition } from '../ui/timeline';
import { epochMs } from './epoch-ms';
import { labelSelectorSql } from './label-selector-sql';
import { execute, inTransaction, queryRow, queryRows, type PgStore, type Queryable } from './pg-store';
import { sql } from './sql';
import { readProgress, saveProgress } from './rollup-progress';

// Ten minutes: a day's audit reads 144 rows per lease, and at most ~20 minutes of transitions at its ends.
export const TIMELINE_BUCKET_MS = 10 * 60_000;
const BUCKET_MS = TIMELINE_BUCKET_MS;
// A bucket is rolled up once it ended this long ago: transitions are stored a few seconds after they happen.
const TIMELINE_SETTLE_MS = 2 * 60_000;
// Transitions are found by id; re-reading the last ones covers a transaction that committed late.
const SEEN_MARGIN = 1_000n;
// Backfill and catch-up work a day of one lease at a time.
const CHUNK_MS = 24 * 3_600_000;

// Replicas take turns, like the renew rollups (lib/store/rollups.ts uses key 2).
const lockNamespace = 0x4c41;
const lockKey = 3;

const floorBucket = (ms: number) => Math.floor(ms / BUCKET_MS) * BUCKET_MS;

// What moves the timeline to a known state: a `missed` change leaves it as it was, and so does a
// `resumed` naming no holder (lib/ui/timeline.ts).
const isStateSetting = (kind: string, toHolder: string | null) => kind === 'acquired' || kind === 'released' || kind === 'expired' || kind === 'deleted' || kind === 'reset' || (kind === 'resumed' && toHolder !== null);
const stateSettingSql = sql`(kind IN ('acquired', 'released', 'expired', 'deleted', 'reset') OR (kind = 'resumed' AND "toHolder" IS NOT NULL))`;

// ---------------------------------------------------------------------------------------------
// Pieces: summarizeLeaseWindow's sums for a stretch of time, plus the leaderless runs touching its
// ends, so consecutive stretches join into the summary of the whole window.
// ---------------------------------------------------------------------------------------------

type TimelinePiece = {
  durationMs: number;
  ledMs: number;
  leaderlessMs: number;
  unknownMs: number;
  longestLeaderlessMs: number;
  leadingLeaderlessMs: number;
  trailingLeaderlessMs: number;
  failovers: number;
  earlyTakeovers: number;
  missed: number;
};

const emptyPiece: TimelinePiece = {
  durationMs: 0,
  ledMs: 0,
  leaderlessMs: 0,
  unknownMs: 0,
  longestLeaderlessMs: 0,
  leadingLeaderlessMs: 0,
  trailingLeaderlessMs: 0,
  failovers: 0,
  earlyTakeovers: 0,
  missed: 0,
};

// The segments clipped to [from, to), read the way summarizeLeaseWindow reads them.
function pieceOf(segments: readonly Segment[], transitions: readonly TimelineTransition[], from: number, to: number): TimelinePiece {
  const piece = { ...emptyPiece, durationMs: to - from };
  let run = 0;
  let runEnd = Number.NaN;
  for (const segment of segments) {
    const start = Math.max(from, segment.start);
    const end = Math.min(to, segment.end);
    if (end <= start) continue;
    const length = end - start;
    if (segment.type === 'held') piece.ledMs += length;
    else if (segment.type === 'unknown') piece.unknownMs += length;
    else {
      piece.leaderlessMs += length;
      run = start === runEnd ? run + length : length;
      runEnd = end;
      piece.longestLeaderlessMs = Math.max(piece.longestLeaderlessMs, run);
      if (run === end - from) piece.leadingLeaderlessMs = run;
    }
  }
  piece.trailingLeaderlessMs = runEnd === to ? run : 0;
  for (const t of transitions) {
    if (t.at < from || t.at >= to) continue;
    if (t.kind === 'acquired' && t.cause !== 'first') piece.failovers += 1;
    if (t.kind === 'acquired' && t.cause === 'early_takeover') piece.earlyTakeovers += 1;
    piece.missed += t.missedCount;
  }
  return piece;
}

// `a` directly followed by `b`.
function joinPieces(a: TimelinePiece, b: TimelinePiece): TimelinePiece {
  return {
    durationMs: a.durationMs + b.durationMs,
    ledMs: a.ledMs + b.ledMs,
    leaderlessMs: a.leaderlessMs + b.leaderlessMs,
    unknownMs: a.unknownMs + b.unknownMs,
    longestLeaderlessMs: Math.max(a.longestLeaderlessMs, b.longestLeaderlessMs, a.trailingLeaderlessMs + b.leadingLeaderlessMs),
    leadingLeaderlessMs: a.leadingLeaderlessMs === a.durationMs ? a.durationMs + b.leadingLeaderlessMs : a.leadingLeaderlessMs,
    trailingLeaderlessMs: b.trailingLeaderlessMs === b.durationMs ? b.durationMs + a.trailingLeaderlessMs : b.trailingLeaderlessMs,
    failovers: a.failovers + b.failovers,
    earlyTakeovers: a.earlyTakeovers + b.earlyTakeovers,
    missed: a.missed + b.missed,
  };
}

// A summary tells holders apart only from nobody (lib/audit/lease-window.ts): the names stay in the
// database, which halves the bytes read (the equivalence test holds the summaries to the full rows).
const transitionColumns = sql`t.id::text AS id, t.kind::text AS kind, t.cause::text AS cause, ${epochMs(sql`t.at`)} AS at,
  CASE WHEN t."fromHolder" IS NOT NULL THEN 'h' END AS "fromHolder", CASE WHEN t."toHolder" IS NOT NULL THEN 'h' END AS "toHolder",
  t."isRestart", t."leaderlessMs", t."overlapMs", t."missedCount"`;

// The segments of [start, end) given every transition from `start` on: the first one (the last to set
// the state before the stretch of interest, or a synthetic opening) makes the state explicit.
function segmentsOf(transitions: TimelineTransition[], start: number, end: number, gaps: TimelineGap[]): Segment[] {
  return buildTimeline({ from: start, to: end, transitions, gaps, currentHolder: null, holderSince: null }).segments;
}

// ---------------------------------------------------------------------------------------------
// The job: per election lease, per closed ten minutes, the piece of the global timeline (no gaps).
// ---------------------------------------------------------------------------------------------

type PlannedLease = { leaseId: number; from: number; to: number };

type BucketRow = TimelinePiece & { leaseId: number; bucket: Date };

async function writeBuckets(db: Queryable, rows: BucketRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const column = <T>(pick: (row: BucketRow) => T) => rows.map(pick);
  return execute(
    db,
    sql`
    INSERT INTO "TimelineRollup" AS r ("leaseId", bucket, "ledMs", "leaderlessMs", "unknownMs", "longestLeaderlessMs", "leadingLeaderlessMs", "trailingLeaderlessMs", failovers, "earlyTakeovers", "missedCount")
    SELECT * FROM unnest(${column((r) => r.leaseId)}::int[], ${column((r) => r.bucket)}::timestamptz[], ${column((r) => r.ledMs)}::int[], ${column((r) => r.leaderlessMs)}::int[],
                         ${column((r) => r.unknownMs)}::int[], ${column((r) => r.longestLeaderlessMs)}::int[], ${column((r) => r.leadingLeaderlessMs)}::int[],
                         ${column((r) => r.trailingLeaderlessMs)}::int[], ${column((r) => r.failovers)}::int[], ${column((r) => r.earlyTakeovers)}::int[], ${column((r) => r.missed)}::int[])
    ON CONFLICT ("leaseId", bucket) DO UPDATE SET
      "ledMs" = EXCLUDED."ledMs", "leaderlessMs" = EXCLUDED."leaderlessMs", "unknownMs" = EXCLUDED."unknownMs", "longestLeaderlessMs" = EXCLUDED."longestLeaderlessMs",
      "leadingLeaderlessMs" = EXCLUDED."leadingLeaderlessMs", "trailingLeaderlessMs" = EXCLUDED."trailingLeaderlessMs", failovers = EXCLUDED.failovers,
      "earlyTakeovers" = EXCLUDED."earlyTakeovers", "missedCount" = EXCLUDED."missedCount"
    WHERE (r."ledMs", r."leaderlessMs", r."unknownMs", r."longestLeaderlessMs", r."leadingLeaderlessMs", r."trailingLeaderlessMs", r.failovers, r."earlyTakeovers", r."missedCount")
          IS DISTINCT FROM
          (EXCLUDED."ledMs", EXCLUDED."leaderlessMs", EXCLUDED."unknownMs", EXCLUDED."longestLeaderlessMs", EXCLUDED."leadingLeaderlessMs", EXCLUDED."trailingLeaderlessMs",
           EXCLUDED.failovers, EXCLUDED."earlyTakeovers", EXCLUDED."missedCount")`,
  );
}

// Buckets [from, to) of one lease: its transitions from the last one to set the state before `from`,
// up to the first one after `to` that moves the cursor (its leaderless stretch may reach back).
async function rollUpLeaseBuckets(db: Queryable, { leaseId, from, to }: PlannedLease): Promise<number> {
  const transitions = await queryRows<TimelineTransition>(
    db,
    sql`
    WITH bounds AS (
      SELECT coalesce((SELECT at FROM "Transition" WHERE "leaseId" = ${leaseId} AND at < ${new Date(from)}::timestamptz AND ${stateSettingSql} ORDER BY at DESC, id DESC LIMIT 1),
                      (SELECT at FROM "Transition" WHERE "leaseId" = ${leaseId} ORDER BY at, id LIMIT 1)) AS start,
             (SELECT at FROM "Transition" WHERE "leaseId" = ${leaseId} AND at >= ${new Date(to)}::timestamptz AND kind <> 'missed' ORDER BY at, id LIMIT 1) AS next
    )
    SELECT ${transitionColumns} FROM "Transition" t, bounds
     WHERE t."leaseId" = ${leaseId} AND t.at >= bounds.start AND t.at < coalesce(bounds.next + interval '1 microsecond', ${new Date(to)}::timestamptz)
     ORDER BY t.at, t.id`,
  );
  const start = Math.min(from, transitions[0]?.at ?? from);
  const end = Math.max(to, (transitions.at(-1)?.at ?? to) + 1);
  const segments = segmentsOf(transitions, start, end, []);
  const buckets: BucketRow[] = [];
  let first = 0;
  for (let bucket = from; bucket < to; bucket += BUCKET_MS) {
    while (first < segments.length && segments[first]!.end <= bucket) first++;
    let last = first;
    while (last < segments.length && segments[last]!.start < bucket + BUCKET_MS) last++;
    buckets.push({ leaseId, bucket: new Date(bucket), ...pieceOf(segments.slice(first, last), transitions, bucket, bucket + BUCKET_MS) });
  }
  return writeBuckets(db, buckets);
}

export type TimelineRollUpResult = { isSkipped: boolean; rolledUntil: Date | null; leases: number; rowsWritten: number };

// Rolls up every closed bucket of every elected lease not yet rolled up, and again every bucket a newly
// stored transition can change. Safe to run anywhere, any number of times: rows are recomputed.
export async function rollUpTimelines(store: PgStore, options: { now: Date; settleMs?: number; signal?: AbortSignal }): Promise<TimelineRollUpResult> {
  const closedUntil = floorBucket(options.now.getTime() - (options.settleMs ?? TIMELINE_SETTLE_MS));
  const lock = await store.pool.connect();
  try {
    const { rows } = await lock.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::int, $2::int) AS locked', [lockNamespace, lockKey]);
    if (!rows[0]?.locked) return { isSkipped: true, rolledUntil: null, leases: 0, rowsWritten: 0 };
    try {
      const progress = await readProgress(store.pool, 'timelines');
      const seen = progress?.transitionId ?? null;
      const maxRow = await queryRow<{ max: bigint | null }>(store.pool, sql`SELECT max(id) AS max FROM "Transition"`);
      const leases = await queryRows<{ id: number; firstAt: Date; deletedAt: Date | null; changedFrom: Date | null }>(
        store.pool,
        sql`
        WITH changed AS (SELECT "leaseId", min(at) AS at FROM "Transition" WHERE id > ${seen === null ? null : seen - SEEN_MARGIN}::bigint GROUP BY 1)
        SELECT l.id, f.at AS "firstAt", l."deletedAt",
               coalesce((SELECT at FROM "Transition" p WHERE p."leaseId" = l.id AND p.at < c.at AND p.kind <> 'missed' ORDER BY p.at DESC, p.id DESC LIMIT 1), c.at) AS "changedFrom"
          FROM "Lease" l
         CROSS JOIN LATERAL (SELECT at FROM "Transition" t WHERE t."leaseId" = l.id ORDER BY at, id LIMIT 1) f
          LEFT JOIN changed c ON c."leaseId" = l.id
         WHERE l.kind = 'election'`,
      );
      let rowsWritten = 0;
      let touched = 0;
      for (const lease of leases) {
        // The bucket of a lease's first transition is never read: a window opening before it reads transitions.
        const firstBucket = floorBucket(lease.firstAt.getTime()) + BUCKET_MS;
        const until = lease.deletedAt ? Math.min(closedUntil, floorBucket(lease.deletedAt.getTime()) + BUCKET_MS) : closedUntil;
        let from = Math.max(firstBucket, progress?.rolledUntil.getTime() ?? firstBucket);
        if (lease.changedFrom) from = Math.min(from, Math.max(firstBucket, floorBucket(lease.changedFrom.getTime())));
        if (from >= until) continue;
        touched += 1;
        for (let chunk = from; chunk < until && !options.signal?.aborted; chunk += CHUNK_MS) {
          const to = Math.min(until, chunk + CHUNK_MS);
          rowsWritten += await inTransaction(store.pool, (tx) => rollUpLeaseBuckets(tx, { leaseId: lease.id, from: chunk, to }), { timeoutMs: 120_000 });
        }
      }
      if (options.signal?.aborted) return { isSkipped: false, rolledUntil: progress?.rolledUntil ?? null, leases: touched, rowsWritten };
      await saveProgress(store.pool, 'timelines', new Date(closedUntil), maxRow?.max ?? seen);
      return { isSkipped: false, rolledUntil: new Date(closedUntil), leases: touched, rowsWritten };
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1::int, $2::int)', [lockNamespace, lockKey]);
    }
  } finally {
    lock.release();
  }
}

// ---------------------------------------------------------------------------------------------
// Reading a window: whole buckets from TimelineRollup, the rest from transitions.
// ---------------------------------------------------------------------------------------------

type WindowLease = {
  id: number;
  cluster: string;
  firstSeenAt: number;
  lastBefore: { kind: TimelineTransition['kind']; toHolder: string | null } | null;
  // The first transition in the window that sets the state, and the last one before `to` that moves
  // the cursor: they bound the stretches where the window's view can differ from the stored buckets.
  firstSettingAt: number | null;
  lastCursorAt: number | null;
};

type Stretch = { leaseId: number; from: number; to: number; isWindowStart: boolean; isWindowEnd: boolean };

type BucketPieceRow = TimelinePiece & { leaseId: number; bucket: number };

const noChange = { cause: null, isRestart: false, leaderlessMs: null, overlapMs: null, missedCount: 0 } as const;

// As summarizeLeaseWindow opens a window (lib/audit/lease-window.ts): who held the lease when it opened.
function openingOf(last: NonNullable<WindowLease['lastBefore']>, from: number): TimelineTransition {
  const holder = last.kind === 'acquired' || last.kind === 'resumed' || last.kind === 'missed' || last.kind === 'reset' ? last.toHolder : null;
  return holder === null
    ? { ...noChange, id: 'window-start', kind: 'released', at: from, fromHolder: null, toHolder: null }
    : { ...noChange, id: 'window-start', kind: 'resumed', at: from, fromHolder: holder, toHolder: holder };
}

const overlaps = (gap: TimelineGap, from: number, to: number) => gap.startedAt < to && (gap.endedAt ?? Infinity) > from;

// The stretches of one lease's window: a stored bucket where the window sees what the job saw (after
// the first transition that sets the state, before the last one the window sees, no gap in it),
// transitions everywhere else. Null: read the whole window from transitions.
function planWindow(lease: WindowLease, from: number, to: number, buckets: Map<number, BucketPieceRow>, gaps: TimelineGap[]): Array<Stretch | BucketPieceRow> | null {
  if (!lease.lastBefore) return null;
  const opensSet = isStateSetting(lease.lastBefore.kind, lease.lastBefore.toHolder);
  const startEnd = Math.max(Math.ceil(from / BUCKET_MS) * BUCKET_MS, opensSet ? 0 : lease.firstSettingAt === null ? to : floorBucket(lease.firstSettingAt) + BUCKET_MS);
  const endStart = Math.min(floorBucket(to), lease.lastCursorAt === null ? 0 : floorBucket(lease.lastCursorAt));
  const plan: Array<Stretch | BucketPieceRow> = [];
  let rawFrom = from;
  const closeRaw = (end: number, isWindowEnd: boolean) => {
    if (end > rawFrom) plan.push({ leaseId: lease.id, from: rawFrom, to: end, isWindowStart: rawFrom === from, isWindowEnd });
  };
  for (let bucket = startEnd; bucket + BUCKET_MS <= endStart; bucket += BUCKET_MS) {
    const stored = buckets.get(bucket);
    if (!stored || gaps.some((gap) => overlaps(gap, bucket, bucket + BUCKET_MS))) continue;
    closeRaw(bucket, false);
    plan.push(stored);
    rawFrom = bucket + BUCKET_MS;
  }
  if (rawFrom === from) return null;
  closeRaw(to, true);
  return plan;
}

// Transitions of every stretch: from the last one to set the state before it (or the window's own
// opening), to the first one after it that moves the cursor, unless the window ends there.
async function readStretches(store: PgStore, stretches: Stretch[]): Promise<Map<number, TimelineTransition[]>> {
  const byStretch = new Map<number, TimelineTransition[]>(stretches.map((_, i) => [i, []]));
  if (stretches.length === 0) return byStretch;
  const query = sql`
    SELECT s.stretch::int AS stretch, ${transitionColumns}
      FROM unnest(${stretches.map((s) => s.leaseId)}::int[], ${stretches.map((s) => new Date(s.from))}::timestamptz[], ${stretches.map((s) => new Date(s.to))}::timestamptz[],
                  ${stretches.map((s) => s.isWindowStart)}::bool[], ${stretches.map((s) => s.isWindowEnd)}::bool[]) WITH ORDINALITY AS s(lease, a, b, is_start, is_end, stretch)
     CROSS JOIN LATERAL (
       SELECT CASE WHEN s.is_start THEN s.a
                   ELSE coalesce((SELECT at FROM "Transition" WHERE "leaseId" = s.lease AND at < s.a AND ${stateSettingSql} ORDER BY at DESC, id DESC LIMIT 1), s.a) END AS start,
              CASE WHEN s.is_end THEN NULL
                   ELSE (SELECT at FROM "Transition" WHERE "leaseId" = s.lease AND at >= s.b AND kind <> 'missed' ORDER BY at, id LIMIT 1) END AS next
     ) bounds
      JOIN "Transition" t ON t."leaseId" = s.lease AND t.at >= bounds.start AND t.at < coalesce(bounds.next + interval '1 microsecond', s.b)
     ORDER BY s.stretch, t.at, t.id`;
  // On the pool: Prisma's row mapping of these thousands of rows took a third of the audit's time.
  const { rows } = await store.pool.query<TimelineTransition & { stretch: number }>(query.text, query.values);
  for (const row of rows) byStretch.get(row.stretch - 1)!.push(row);
  return byStretch;
}

function pieceOfStretch(stretch: Stretch, transitions: TimelineTransition[], lease: WindowLease, gaps: TimelineGap[]): TimelinePiece {
  const all = stretch.isWindowStart ? [openingOf(lease.lastBefore!, stretch.from), ...transitions] : transitions;
  const start = Math.min(stretch.from, all[0]?.at ?? stretch.from);
  const end = Math.max(stretch.to, (all.at(-1)?.at ?? stretch.to) + 1);
  return pieceOf(segmentsOf(all, start, end, gaps), transitions, stretch.from, stretch.to);
}

const toSummary = (piece: TimelinePiece, windowMs: number): LeaseWindowSummary => ({
  failovers: piece.failovers,
  earlyTakeovers: piece.earlyTakeovers,
  missed: piece.missed,
  leaderlessMs: piece.leaderlessMs,
  longestLeaderlessMs: piece.longestLeaderlessMs,
  ledMs: piece.ledMs,
  unknownMs: piece.unknownMs,
  windowMs,
  ledShare: windowMs > 0 ? piece.ledMs / windowMs : 0,
});

// scope: globs and a label selector (an SLO's), matched in SQL so a scoped read never summarises the
// whole fleet. Labels are the lease's current ones: a lease that changes labels moves in or out whole.
export type WindowFilter = {
  from: number;
  to: number;
  cluster?: string;
  namespace?: string;
  scope?: { clusterPattern: string; namespacePattern: string; leasePattern: string; labelSelector?: string };
  gaps: Array<TimelineGap & { cluster: string }>;
};

export type ElectedLeaseWindow = { cluster: string; namespace: string; name: string; labels: Record<string, string>; summary: LeaseWindowSummary };

type LeaseRow = { id: number; cluster: string; namespace: string; name: string; labels: Record<string, string>; createdAt: Date; lastKind: TimelineTransition['kind'] | null; lastToHolder: string | null; firstSettingAt: Date | null; lastCursorAt: Date | null };

// summarizeLeaseWindow for every elected lease of the window, reading stored buckets wherever they say
// the same as the transitions would: a day's audit reads 144 rows per lease, not its every transition.
export async function summarizeElectedLeases(store: PgStore, filter: WindowFilter): Promise<ElectedLeaseWindow[]> {
  const { from, to } = filter;
  const windowMs = Math.max(0, to - from);
  const fromDate = new Date(from);
  const toDate = new Date(to);
  const rows = await queryRows<LeaseRow>(
    store.pool,
    sql`
    SELECT l.id, c.name AS cluster, l.namespace, l.name, l.labels, l."createdAt", lb.kind::text AS "lastKind", lb."toHolder" AS "lastToHolder",
           (SELECT at FROM "Transition" WHERE "leaseId" = l.id AND at >= ${fromDate}::timestamptz AND at < ${toDate}::timestamptz AND ${stateSettingSql} ORDER BY at, id LIMIT 1) AS "firstSettingAt",
           (SELECT at FROM "Transition" WHERE "leaseId" = l.id AND at < ${toDate}::timestamptz AND kind <> 'missed' ORDER BY at DESC, id DESC LIMIT 1) AS "lastCursorAt"
      FROM "Lease" l
      JOIN "Cluster" c ON c.id = l."clusterId"
      LEFT JOIN LATERAL (SELECT kind, "toHolder" FROM "Transition" WHERE "leaseId" = l.id AND at < ${fromDate}::timestamptz ORDER BY at DESC, id DESC LIMIT 1) lb ON true
     WHERE l.kind = 'election' AND l."createdAt" < ${toDate}::timestamptz AND (l."deletedAt" IS NULL OR l."deletedAt" >= ${fromDate}::timestamptz)
       AND (${filter.namespace ?? null}::text IS NULL OR l.namespace = ${filter.namespace ?? null}::text)
       AND (${filter.cluster ?? null}::text IS NULL OR c.name = ${filter.cluster ?? null}::text)
       AND c.name LIKE ${globToLike(filter.scope?.clusterPattern ?? '*')} ESCAPE '\\'
       AND l.namespace LIKE ${globToLike(filter.scope?.namespacePattern ?? '*')} ESCAPE '\\'
       AND l.name LIKE ${globToLike(filter.scope?.leasePattern ?? '*')} ESCAPE '\\'
       AND ${labelSelectorSql(parseLabelSelector(filter.scope?.labelSelector ?? ''), sql`l.labels`)}`,
  );
  const leases: WindowLease[] = rows.map((row) => ({
    id: row.id,
    cluster: row.cluster,
    firstSeenAt: row.createdAt.getTime(),
    lastBefore: row.lastKind === null ? null : { kind: row.lastKind, toHolder: row.lastToHolder },
    firstSettingAt: row.firstSettingAt?.getTime() ?? null,
    lastCursorAt: row.lastCursorAt?.getTime() ?? null,
  }));
  const gapsOf = (cluster: string) => filter.gaps.filter((gap) => gap.cluster === cluster);

  const bucketQuery = sql`
    SELECT "leaseId", ${epochMs(sql`bucket`)} AS bucket, ${BUCKET_MS}::int AS "durationMs", "ledMs", "leaderlessMs", "unknownMs", "longestLeaderlessMs",
           "leadingLeaderlessMs", "trailingLeaderlessMs", failovers, "earlyTakeovers", "missedCount" AS missed
      FROM "TimelineRollup" WHERE "leaseId" = ANY(${leases.map((l) => l.id)}::int[]) AND bucket >= ${fromDate}::timestamptz AND bucket < ${toDate}::timestamptz`;
  const { rows: bucketRows } = await store.pool.query<BucketPieceRow>(bucketQuery.text, bucketQuery.values);
  const bucketsOf = new Map<number, Map<number, BucketPieceRow>>();
  for (const row of bucketRows) bucketsOf.set(row.leaseId, (bucketsOf.get(row.leaseId) ?? new Map<number, BucketPieceRow>()).set(row.bucket, row));

  const plans = new Map(leases.map((lease) => [lease.id, planWindow(lease, from, to, bucketsOf.get(lease.id) ?? new Map(), gapsOf(lease.cluster))]));
  const stretches: Stretch[] = [];
  for (const lease of leases) {
    const plan = plans.get(lease.id);
    if (!plan) stretches.push({ leaseId: lease.id, from, to, isWindowStart: true, isWindowEnd: true });
    else for (const part of plan) if (!('bucket' in part)) stretches.push(part);
  }
  const transitions = await readStretches(store, stretches);
  const transitionsOf = new Map(stretches.map((stretch, i) => [stretch, transitions.get(i)!]));

  return leases.map((lease, i) => {
    const { namespace, name, labels } = rows[i]!;
    const plan = plans.get(lease.id);
    if (!plan) {
      const whole = stretches.find((s) => s.leaseId === lease.id)!;
      const summary = summarizeLeaseWindow({ from, to, transitions: transitionsOf.get(whole)!, lastBefore: lease.lastBefore, firstSeenAt: lease.firstSeenAt, gaps: gapsOf(lease.cluster) });
      return { cluster: lease.cluster, namespace, name, labels, summary };
    }
    let total = emptyPiece;
    for (const part of plan) total = joinPieces(total, 'bucket' in part ? part : pieceOfStretch(part, transitionsOf.get(part)!, lease, gapsOf(lease.cluster)));
    return { cluster: lease.cluster, namespace, name, labels, summary: toSummary(total, windowMs) };
  });
}
