import Cursor from 'pg-cursor';
import { groupBursts, type Burst } from '../audit/bursts';
import type { FailoverCause } from '../audit/causes';
import type { LeaseWindowSummary } from '../audit/lease-window';
import { listAnnotations, type AnnotationRecord } from './annotations';
import type { Store } from './client';
import type { PgStore } from './pg-store';
import { getClusterIdOrThrow } from './clusters';
import { epochMs } from './epoch-ms';
import { listGaps, type GapRecord } from './gaps';
import { type Sql, sql } from './sql';
import type { AcquireCause } from './generated/prisma/enums';
import { summarizeElectedLeases, type WindowFilter } from './timeline-rollups';
import type { TimeRange } from './time-range';

export type ListFailoversInput = { range: TimeRange; cluster?: string; namespace?: string; name?: string; cause?: FailoverCause; limit: number };

// `missed`: leaseTransitions grew while the holder stayed the same, so changes happened that nobody
// saw; its time is when we noticed, and its cause is unknown by definition.
export type FailoverRecord = {
  id: bigint;
  kind: 'acquired' | 'missed';
  cluster: string;
  namespace: string;
  name: string;
  at: Date;
  observedAt: Date;
  cause: Exclude<AcquireCause, 'first'>;
  fromHolder: string | null;
  toHolder: string | null;
  isRestart: boolean;
  leaderlessMs: number | null;
  overlapMs: number | null;
  missedCount: number;
  leaseTransitions: number | null;
};

function causeFilter(cause: FailoverCause | undefined): Sql {
  if (cause === undefined) return sql`((t.kind = 'acquired' AND t.cause <> 'first') OR t.kind = 'missed')`;
  if (cause === 'unknown') return sql`((t.kind = 'acquired' AND t.cause = 'unknown') OR t.kind = 'missed')`;
  return sql`(t.kind = 'acquired' AND t.cause = ${cause}::"AcquireCause")`;
}

type FailoverRow = Omit<FailoverRecord, 'id' | 'kind' | 'cause' | 'at' | 'observedAt'> & { id: string; kind: 'acquired' | 'missed'; cause: AcquireCause | null; at: number; observedAt: number };

function failoverQuery(input: ListFailoversInput, clusterId: number | null, limit: number): Sql {
  return sql`
    SELECT t.id::text AS id, t.kind::text AS kind, t.cause::text AS cause, ${epochMs(sql`t.at`)} AS at, ${epochMs(sql`t."observedAt"`)} AS "observedAt",
           t."fromHolder", t."toHolder", t."isRestart",
           t."leaderlessMs", t."overlapMs", t."missedCount", t."leaseTransitions", c.name AS cluster, l.namespace, l.name
      FROM "Transition" t
      JOIN "Lease" l ON l.id = t."leaseId"
      JOIN "Cluster" c ON c.id = t."clusterId"
     WHERE t.at >= ${input.range.from}::timestamptz AND t.at < ${input.range.to}::timestamptz AND ${causeFilter(input.cause)}
       AND (${clusterId}::int IS NULL OR t."clusterId" = ${clusterId}::int)
       AND (${input.namespace ?? null}::text IS NULL OR l.namespace = ${input.namespace ?? null}::text)
       AND (${input.name ?? null}::text IS NULL OR l.name = ${input.name ?? null}::text)
     ORDER BY t.at, t.id
     LIMIT ${limit}::int`;
}

// Field by field: a rest-and-spread of ten thousand rows cost seven times as much.
const toFailoverRecord = (row: FailoverRow): FailoverRecord => ({
  id: BigInt(row.id),
  kind: row.kind,
  cluster: row.cluster,
  namespace: row.namespace,
  name: row.name,
  at: new Date(row.at),
  observedAt: new Date(row.observedAt),
  cause: row.cause === null || row.cause === 'first' ? 'unknown' : row.cause,
  fromHolder: row.fromHolder,
  toHolder: row.toHolder,
  isRestart: row.isRestart,
  leaderlessMs: row.leaderlessMs,
  overlapMs: row.overlapMs,
  missedCount: row.missedCount,
  leaseTransitions: row.leaseTransitions,
});

// Every change of leader fleet-wide in [from, to), oldest first; a lease's first sighting is no failover.
// Raw SQL on the pool, times as epoch milliseconds: a day of a flapping fleet fills the limit of 10,000,
// and Prisma's findMany with the two relations took 170–300 ms where this takes 35–65 ms.
export async function listFailovers(store: Store, input: ListFailoversInput): Promise<{ failovers: FailoverRecord[]; hasMore: boolean }> {
  const clusterId = input.cluster === undefined ? null : await getClusterIdOrThrow(store, input.cluster);
  const query = failoverQuery(input, clusterId, input.limit + 1);
  const { rows } = await store.pool.query<FailoverRow>(query.text, query.values);
  return { failovers: rows.slice(0, input.limit).map(toFailoverRecord), hasMore: rows.length > input.limit };
}

export type FailoverCursor = {
  // The limit cut the failovers of the range: known before the first row, so an export can say so in its headers.
  isTruncated: boolean;
  // The next failovers, oldest first; empty once every one was read.
  read: (rows: number) => Promise<FailoverRecord[]>;
  close: () => Promise<void>;
};

// listFailovers as a server-side cursor, for exports of any size in bounded memory: one read-only
// snapshot for the count and every batch, each statement stopped by PostgreSQL at `statementTimeoutMs`.
export async function openFailoverCursor(store: Store, input: ListFailoversInput, options: { statementTimeoutMs: number }): Promise<FailoverCursor> {
  const clusterId = input.cluster === undefined ? null : await getClusterIdOrThrow(store, input.cluster);
  const client = await store.pool.connect();
  let cursor: Cursor<FailoverRow> | undefined;
  let isClosed = false;
  const close = async (isBroken = false) => {
    if (isClosed) return;
    isClosed = true;
    let broken = isBroken;
    await cursor?.close().catch(() => {
      broken = true;
    });
    await client.query('ROLLBACK').catch(() => {
      broken = true;
    });
    client.release(broken);
  };
  try {
    await client.query('BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(options.statementTimeoutMs))}`);
    const counted = failoverQuery(input, clusterId, input.limit + 1);
    const { rows } = await client.query<{ count: number }>(`SELECT count(*)::int AS count FROM (${counted.text}) AS limited`, counted.values);
    const query = failoverQuery(input, clusterId, input.limit);
    cursor = client.query(new Cursor<FailoverRow>(query.text, query.values));
    return {
      isTruncated: rows[0]!.count > input.limit,
      read: async (count) => {
        if (isClosed) return [];
        try {
          return (await cursor!.read(count)).map(toFailoverRecord);
        } catch (error) {
          await close(true);
          throw error;
        }
      },
      close: () => close(),
    };
  } catch (error) {
    await close(true);
    throw error;
  }
}

export type LeaseWindowRecord = { cluster: string; namespace: string; name: string; labels: Record<string, string> } & LeaseWindowSummary;

// Who led each elected lease over the window, and for how long nobody did (or we could not tell).
// `until` caps the window at now: the future is neither led nor leaderless.
export async function summarizeLeaseWindows(
  store: PgStore,
  input: { range: TimeRange; cluster?: string; namespace?: string; scope?: WindowFilter['scope']; gaps: GapRecord[]; until: Date },
): Promise<LeaseWindowRecord[]> {
  const from = input.range.from.getTime();
  const to = Math.max(from, Math.min(input.range.to.getTime(), input.until.getTime()));
  const gaps = input.gaps.map((gap) => ({ cluster: gap.cluster, startedAt: gap.startedAt.getTime(), endedAt: gap.endedAt?.getTime() ?? null, reason: gap.reason }));
  const windows = await summarizeElectedLeases(store, { from, to, cluster: input.cluster, namespace: input.namespace, scope: input.scope, gaps });
  return windows
    .map(({ cluster, namespace, name, labels, summary }) => ({ cluster, namespace, name, labels, ...summary }))
    .sort(
      (a, b) =>
        b.failovers - a.failovers ||
        b.leaderlessMs - a.leaderlessMs ||
        b.unknownMs - a.unknownMs ||
        `${a.cluster}/${a.namespace}/${a.name}`.localeCompare(`${b.cluster}/${b.namespace}/${b.name}`),
    );
}

export type FailoverAuditInput = ListFailoversInput & { burstGapMs: number; now: Date };

export type FailoverAudit = {
  failovers: FailoverRecord[];
  hasMore: boolean;
  bursts: Burst[];
  gaps: GapRecord[];
  hasMoreGaps: boolean;
  leases: LeaseWindowRecord[];
  annotations: AnnotationRecord[];
  hasMoreAnnotations: boolean;
};

const gapLimit = 1_000;
const annotationLimit = 1_000;

// The whole audit of a window: blind spots, failovers grouped into bursts, per-lease leadership, notes.
// Missed changes join no burst: their time is when we noticed, not when they happened.
export async function getFailoverAudit(store: Store, input: FailoverAuditInput): Promise<FailoverAudit> {
  const [{ failovers, hasMore }, { gaps, hasMore: hasMoreGaps }, { annotations, hasMore: hasMoreAnnotations }] = await Promise.all([
    listFailovers(store, input),
    listGaps(store, { cluster: input.cluster, range: input.range, limit: gapLimit }),
    listAnnotations(store, { range: input.range, cluster: input.cluster, limit: annotationLimit }),
  ]);
  const timed = failovers.filter((failover) => failover.kind === 'acquired');
  const bursts = groupBursts(
    timed.map((failover) => ({ id: failover.id.toString(), at: failover.at.getTime(), cluster: failover.cluster, namespace: failover.namespace, name: failover.name })),
    input.burstGapMs,
  );
  const leases = await summarizeLeaseWindows(store, { range: input.range, cluster: input.cluster, namespace: input.namespace, gaps, until: input.now });
  return { failovers, hasMore, bursts, gaps, hasMoreGaps, leases, annotations, hasMoreAnnotations };
}
