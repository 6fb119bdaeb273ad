import type { CountedTransition, FlappingFacts, HeartbeatFacts, LeaderlessFacts, RenewLatencyFacts, StaleFacts } from '../alerts/conditions';
import { minHeartbeatGapSeconds } from '../alerts/params';
import type { ActiveInterval } from '../alerts/preview';
import type { Subject } from '../alerts/types';
import type pg from 'pg';
import Cursor from 'pg-cursor';
import { epochMs } from './epoch-ms';
import { queryRows, type Queryable } from './pg-store';
import { raw, sql, type Sql } from './sql';
import type { TimeRange } from './time-range';

// The facts alert rules read: from the engine inside its evaluation transaction, or from the
// preview over stored history. Lease rules look at elected leases only: node heartbeats and API
// server identities are not leadership.

// A pool, or the engine's transaction (withAlertLock).
export type Db = Queryable;

type LeaseRow = { cluster: string; namespace: string; name: string };

const subjectOf = (row: LeaseRow): Subject => ({ cluster: row.cluster, namespace: row.namespace, name: row.name });
const keyOf = (row: LeaseRow) => `${row.cluster}/${row.namespace}/${row.name}`;

// A change of leader counts once; a row recording changes we never saw counts that many times. The
// first holder Leasetrail sees is not a change. float8: 1 + a missed count of 2^31 - 1 overflows int.
const countedTransitions = sql`
  SELECT c.name AS cluster, l.namespace, l.name, t.at,
         ((t.kind = 'acquired' AND t.cause IS DISTINCT FROM 'first')::int::float8 + t."missedCount") AS weight
    FROM "Transition" t
    JOIN "Lease" l ON l.id = t."leaseId"
    JOIN "Cluster" c ON c.id = t."clusterId"
   WHERE l.kind = 'election'
     AND ((t.kind = 'acquired' AND t.cause IS DISTINCT FROM 'first') OR t."missedCount" > 0)`;

function groupTransitions(rows: Array<LeaseRow & { at: Date; weight: number }>): FlappingFacts[] {
  const byLease = new Map<string, FlappingFacts>();
  for (const row of rows) {
    const key = keyOf(row);
    const facts = byLease.get(key) ?? { subject: subjectOf(row), transitions: [] as CountedTransition[] };
    facts.transitions.push({ at: row.at.getTime(), weight: row.weight });
    byLease.set(key, facts);
  }
  return [...byLease.values()];
}

export async function loadFlappingFacts(db: Db, since: Date): Promise<FlappingFacts[]> {
  const rows = await queryRows<LeaseRow & { at: Date; weight: number }>(db, sql`${countedTransitions} AND t.at > ${since}::timestamptz ORDER BY t.at, t.id`);
  return groupTransitions(rows);
}

export type FlappingHistoryOptions = {
  // At most this many changes over the leases read: past it nothing is read and the caller answers "too much history".
  maxRows: number;
  // Rows per cursor read: what is held at once besides the lease being replayed.
  batchRows: number;
  statementTimeoutMs: number;
  // Leases outside the rule's scope are neither counted nor read.
  include: (subject: Subject) => boolean;
  // Called before every cursor read but the first: throws to stop (time budget, client gone).
  checkpoint: () => void;
};

// Changes of leader over a range, handed over one elected lease at a time (in lease id order, each lease's
// changes in time order). A month of a flapping fleet is about a million rows: read as one result with each
// row's names and a Date, it held ~1.5 GB and took seconds to parse; here a batch of plain numbers is held
// at a time, plus the changes of the lease being handed over.
export async function readFlappingHistory(pool: pg.Pool, range: TimeRange, options: FlappingHistoryOptions, onLease: (facts: FlappingFacts) => void): Promise<{ isTruncated: boolean }> {
  const client = await pool.connect();
  let cursor: Cursor<{ leaseId: number; at: number; weight: number }> | undefined;
  let isBroken = false;
  try {
    await client.query('BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(options.statementTimeoutMs))}`);
    const { rows: leases } = await client.query<LeaseRow & { id: number }>(
      `SELECT l.id, c.name AS cluster, l.namespace, l.name FROM "Lease" l JOIN "Cluster" c ON c.id = l."clusterId" WHERE l.kind = 'election'`,
    );
    const subjects = new Map(leases.filter((lease) => options.include(subjectOf(lease))).map((lease) => [lease.id, subjectOf(lease)]));
    const ids = [...subjects.keys()];
    const inRange = sql`t."leaseId" = ANY(${ids}::int[]) AND t.at >= ${range.from}::timestamptz AND t.at < ${range.to}::timestamptz
      AND ((t.kind = 'acquired' AND t.cause IS DISTINCT FROM 'first') OR t."missedCount" > 0)`;
    const count = sql`SELECT count(*)::int AS count FROM (SELECT 1 FROM "Transition" t WHERE ${inRange} LIMIT ${options.maxRows + 1}::int) AS limited`;
    const { rows } = await client.query<{ count: number }>(count.text, count.values);
    if (rows[0]!.count > options.maxRows) return { isTruncated: true };
    const changes = sql`
      SELECT t."leaseId", ${epochMs(sql`t.at`)} AS at, ((t.kind = 'acquired' AND t.cause IS DISTINCT FROM 'first')::int::float8 + t."missedCount") AS weight
        FROM "Transition" t WHERE ${inRange} ORDER BY t."leaseId", t.at, t.id`;
    cursor = client.query(new Cursor(changes.text, changes.values));
    let current: FlappingFacts | undefined;
    let currentId: number | undefined;
    for (let isFirst = true; ; isFirst = false) {
      if (!isFirst) options.checkpoint();
      const batch = await cursor.read(options.batchRows);
      for (const row of batch) {
        if (row.leaseId !== currentId) {
          if (current) onLease(current);
          currentId = row.leaseId;
          current = { subject: subjects.get(row.leaseId)!, transitions: [] };
        }
        current!.transitions.push({ at: row.at, weight: row.weight });
      }
      if (batch.length < options.batchRows) break;
    }
    if (current) onLease(current);
    return { isTruncated: false };
  } finally {
    await cursor?.close().catch(() => (isBroken = true));
    await client.query('ROLLBACK').catch(() => (isBroken = true));
    client.release(isBroken);
  }
}

type LeaderlessRow = LeaseRow & {
  holderIdentity: string | null;
  observedAt: Date;
  lastKind: string | null;
  lastAt: Date | null;
  lastToHolder: string | null;
  heldAt: Date | null;
  heldBy: string | null;
  leaderlessMs: number | null;
};

// Leaderless since the last release or expiry, unless an acquisition (or a holder renewing again)
// came after it; a lease we have only ever seen empty is leaderless since we first saw it.
export async function loadLeaderlessFacts(db: Db): Promise<LeaderlessFacts[]> {
  const rows = await queryRows<LeaderlessRow>(db, sql`
    SELECT c.name AS cluster, l.namespace, l.name, l."holderIdentity", l."observedAt",
           last.kind::text AS "lastKind", last.at AS "lastAt", last."toHolder" AS "lastToHolder", held.at AS "heldAt", held."toHolder" AS "heldBy", held."leaderlessMs"
      FROM "Lease" l
      JOIN "Cluster" c ON c.id = l."clusterId"
      LEFT JOIN LATERAL (
        SELECT t.kind, t.at, t."toHolder" FROM "Transition" t
         WHERE t."leaseId" = l.id AND t.kind IN ('acquired', 'released', 'expired', 'resumed', 'deleted', 'reset')
         ORDER BY t.at DESC, t.id DESC LIMIT 1) last ON true
      LEFT JOIN LATERAL (
        SELECT t.at, t."toHolder", t."leaderlessMs" FROM "Transition" t
         WHERE t."leaseId" = l.id AND (t.kind IN ('acquired', 'resumed') OR (t.kind = 'reset' AND t."toHolder" IS NOT NULL))
         ORDER BY t.at DESC, t.id DESC LIMIT 1) held ON true
     WHERE l.kind = 'election' AND l."deletedAt" IS NULL`);
  return rows.map((row) => {
    const isLost = row.lastKind === 'released' || row.lastKind === 'expired' || (row.lastKind === 'reset' && row.lastToHolder === null);
    const isNeverHeld = row.lastKind === null && !row.holderIdentity;
    const leaderlessSince = isLost ? row.lastAt!.getTime() : isNeverHeld ? row.observedAt.getTime() : null;
    return { subject: subjectOf(row), leaderlessSince, heldSince: row.heldAt?.getTime() ?? null, lastLeaderlessMs: row.leaderlessMs, heldBy: row.heldBy };
  });
}

type HolderRow = LeaseRow & { kind: string; at: Date; toHolder: string | null };

// Leaderless periods over a range: from each release or expiry to the next acquisition, resumption or
// deletion. The last change before the range tells whether the range starts leaderless.
export async function loadLeaderlessHistory(db: Db, range: TimeRange): Promise<Array<{ subject: Subject; periods: ActiveInterval[] }>> {
  const rows = await queryRows<HolderRow>(db, sql`
    WITH relevant AS (
      SELECT t."leaseId", t.kind::text AS kind, t.at, t.id, t."toHolder" FROM "Transition" t
       WHERE t.kind IN ('acquired', 'released', 'expired', 'resumed', 'deleted', 'reset')
    ), before AS (
      SELECT DISTINCT ON ("leaseId") * FROM relevant WHERE at < ${range.from}::timestamptz ORDER BY "leaseId", at DESC, id DESC
    ), inside AS (
      SELECT * FROM relevant WHERE at >= ${range.from}::timestamptz AND at < ${range.to}::timestamptz
    )
    SELECT c.name AS cluster, l.namespace, l.name, e.kind, e.at, e."toHolder"
      FROM (SELECT * FROM before UNION ALL SELECT * FROM inside) e
      JOIN "Lease" l ON l.id = e."leaseId"
      JOIN "Cluster" c ON c.id = l."clusterId"
     WHERE l.kind = 'election'
     ORDER BY l.id, e.at, e.id`);
  const byLease = new Map<string, { subject: Subject; periods: ActiveInterval[] }>();
  for (const row of rows) {
    const key = keyOf(row);
    const entry = byLease.get(key) ?? { subject: subjectOf(row), periods: [] };
    byLease.set(key, entry);
    const open = entry.periods.at(-1);
    const isLost = row.kind === 'released' || row.kind === 'expired' || (row.kind === 'reset' && row.toHolder === null);
    if (isLost && (!open || open.end !== null)) entry.periods.push({ start: row.at.getTime(), end: null });
    else if (!isLost && open && open.end === null) open.end = row.at.getTime();
  }
  return [...byLease.values()];
}

type RenewRow = LeaseRow & { leaseDurationSeconds: number | null; samples: number; p95: number | null };

export async function loadRenewLatencyFacts(db: Db, since: Date): Promise<RenewLatencyFacts[]> {
  const rows = await queryRows<RenewRow>(db, sql`
    SELECT c.name AS cluster, l.namespace, l.name, l."leaseDurationSeconds",
           count(*)::int AS samples,
           percentile_cont(0.95) WITHIN GROUP (ORDER BY s."intervalMs") AS p95
      FROM "RenewSample" s
      JOIN "Lease" l ON l.id = s."leaseId"
      JOIN "Cluster" c ON c.id = l."clusterId"
     WHERE s."renewTime" > ${since}::timestamptz AND s."intervalMs" IS NOT NULL
       AND l.kind = 'election' AND l."deletedAt" IS NULL
     GROUP BY c.name, l.namespace, l.name, l."leaseDurationSeconds"`);
  return rows.map((row) => ({ subject: subjectOf(row), p95Ms: row.p95, samples: row.samples, leaseDurationSeconds: row.leaseDurationSeconds }));
}

type SampledRow = LeaseRow & { at: Date; leaseDurationSeconds: number | null; samples: number; p95: number | null };

// The renew-latency condition at evenly spaced moments of a range, each over the window before it.
export async function loadRenewLatencyHistory(db: Db, range: TimeRange, windowSeconds: number, stepSeconds: number): Promise<Array<RenewLatencyFacts & { at: number }>> {
  const rows = await queryRows<SampledRow>(db, sql`
    SELECT c.name AS cluster, l.namespace, l.name, l."leaseDurationSeconds", g.at,
           count(*)::int AS samples,
           percentile_cont(0.95) WITHIN GROUP (ORDER BY s."intervalMs") AS p95
      FROM generate_series(${range.from}::timestamptz, ${range.to}::timestamptz, make_interval(secs => ${stepSeconds}::int)) AS g(at)
      JOIN "RenewSample" s ON s."renewTime" > g.at - make_interval(secs => ${windowSeconds}::int) AND s."renewTime" <= g.at
      JOIN "Lease" l ON l.id = s."leaseId"
      JOIN "Cluster" c ON c.id = l."clusterId"
     WHERE s."intervalMs" IS NOT NULL AND l.kind = 'election'
     GROUP BY c.name, l.namespace, l.name, l."leaseDurationSeconds", g.at
     ORDER BY g.at`);
  return rows.map((row) => ({ subject: subjectOf(row), at: row.at.getTime(), p95Ms: row.p95, samples: row.samples, leaseDurationSeconds: row.leaseDurationSeconds }));
}

export async function loadStaleFacts(db: Db): Promise<StaleFacts[]> {
  const clusters = await queryRows<{ name: string; lastSeenAt: Date | null; createdAt: Date }>(db, sql`SELECT name, "lastSeenAt", "createdAt" FROM "Cluster" ORDER BY id`);
  return clusters.map((cluster) => ({
    subject: { cluster: cluster.name, namespace: null, name: null },
    lastSeenAt: cluster.lastSeenAt?.getTime() ?? null,
    addedAt: cluster.createdAt.getTime(),
  }));
}

// Unobserved periods of each cluster over a range: its observation gaps, and the time since it was last seen.
export async function loadStaleHistory(db: Db, range: TimeRange): Promise<Array<{ subject: Subject; periods: ActiveInterval[] }>> {
  const clusters = await queryRows<{ name: string; lastSeenAt: Date | null; createdAt: Date; gaps: Array<{ startedAt: number; endedAt: number | null }> }>(
    db,
    sql`
    SELECT c.name, c."lastSeenAt", c."createdAt",
           coalesce((SELECT json_agg(json_build_object('startedAt', ${epochMs(sql`g."startedAt"`)}, 'endedAt', ${epochMs(sql`g."endedAt"`)}) ORDER BY g."startedAt")
                       FROM "ObservationGap" g
                      WHERE g."clusterId" = c.id AND g."startedAt" < ${range.to}::timestamptz AND (g."endedAt" IS NULL OR g."endedAt" > ${range.from}::timestamptz)), '[]') AS gaps
      FROM "Cluster" c ORDER BY c.id`,
  );
  return clusters.map((cluster) => {
    const periods: ActiveInterval[] = cluster.gaps.map((gap) => ({ start: gap.startedAt, end: gap.endedAt }));
    periods.push({ start: (cluster.lastSeenAt ?? cluster.createdAt).getTime(), end: null });
    return { subject: { cluster: cluster.name, namespace: null, name: null }, periods };
  });
}

// Renew gaps long enough for a heartbeat_gap rule are rare (a node renews every 10 s): the partial index
// "RenewSample_gap_idx" (migration 20261207091000) holds only the samples whose interval reaches the shortest
// threshold a rule may have, so both reads below visit just those rows, never every node's renewals. The
// threshold goes into the SQL as a literal: only then can the planner prove a query's condition implies the
// index's predicate (a bind parameter would leave a generic plan without the index). The gaps are read in a
// MATERIALIZED CTE, by time alone: joined to the leases first, a small table's plan would walk each node's
// samples through the primary key instead.
export const GAP_INDEX_MIN_MS = minHeartbeatGapSeconds * 1_000;
const gapIndexed = raw(`s."intervalMs" >= ${GAP_INDEX_MIN_MS}`);
const HOUR_MS = 3_600_000;

// Node heartbeats: each node lease's renew gaps (longer than the shortest threshold a rule may have) inside
// the window, its last renewal, and since when its cluster has an open observation gap (Leasetrail blind:
// silence then is not the node's). Renewals do not rewrite the lease row (lease-states.ts), so the last
// renewal is the newer of the row's and the lease's newest sample: one probe of the primary key per node
// into the partitions of the last hour before the window (as far back as a threshold reaches), and, for a
// node silent that long, into all of them (a node that stopped renewing altogether still counts).
export function heartbeatFactsSql(since: Date): Sql {
  const recent = new Date(since.getTime() - HOUR_MS);
  return sql`
    WITH gaps AS MATERIALIZED (
      SELECT s."leaseId", json_agg(json_build_array((extract(epoch FROM s."renewTime") * 1000)::float8, s."intervalMs") ORDER BY s."renewTime") AS gaps
        FROM "RenewSample" s WHERE ${gapIndexed} AND s."renewTime" > ${since}::timestamptz
       GROUP BY 1
    )
    SELECT c.name AS cluster, l.namespace, l.name,
           GREATEST(l."renewTime", coalesce(
             (SELECT max(s."renewTime") FROM "RenewSample" s WHERE s."leaseId" = l.id AND s."renewTime" > ${recent}::timestamptz),
             (SELECT max(s."renewTime") FROM "RenewSample" s WHERE s."leaseId" = l.id))) AS "renewTime",
           g.gaps,
           (SELECT min(o."startedAt") FROM "ObservationGap" o WHERE o."clusterId" = l."clusterId" AND o."endedAt" IS NULL) AS "blindSince"
      FROM "Lease" l JOIN "Cluster" c ON c.id = l."clusterId" LEFT JOIN gaps g ON g."leaseId" = l.id
     WHERE l.kind = 'node_heartbeat' AND l."deletedAt" IS NULL`;
}

export async function loadHeartbeatFacts(db: Db, since: Date): Promise<HeartbeatFacts[]> {
  const rows = await queryRows<LeaseRow & { renewTime: Date | null; gaps: Array<[number, number]> | null; blindSince: Date | null }>(db, heartbeatFactsSql(since));
  return rows.map((row) => ({
    subject: subjectOf(row),
    gaps: (row.gaps ?? []).map(([endedAt, gapMs]) => ({ endedAt, gapMs })),
    lastRenewAt: row.renewTime?.getTime() ?? null,
    blindSince: row.blindSince?.getTime() ?? null,
  }));
}

// Gaps over a range for the preview: a node was over the threshold from (renewal − gap + threshold) until that
// renewal. Read through the gap index (the threshold is a validated whole number of seconds, at least the
// index's); the node count is per cluster, not per gap.
export function heartbeatGapHistorySql(range: TimeRange, thresholdMs: number): Sql {
  const threshold = raw(String(Math.max(GAP_INDEX_MIN_MS, Math.ceil(thresholdMs))));
  return sql`
    WITH gaps AS MATERIALIZED (
      SELECT s."leaseId", s."renewTime", s."intervalMs" FROM "RenewSample" s
       WHERE ${gapIndexed} AND s."intervalMs" >= ${threshold} AND s."renewTime" >= ${range.from}::timestamptz AND s."renewTime" < ${range.to}::timestamptz
    ), counts AS (
      SELECT "clusterId", count(*)::int AS nodes FROM "Lease" WHERE kind = 'node_heartbeat' AND "deletedAt" IS NULL GROUP BY 1
    )
    SELECT c.name AS cluster, l.namespace, l.name, s."renewTime", s."intervalMs", coalesce(n.nodes, 0) AS nodes
      FROM gaps s JOIN "Lease" l ON l.id = s."leaseId" JOIN "Cluster" c ON c.id = l."clusterId" LEFT JOIN counts n ON n."clusterId" = l."clusterId"
     WHERE l.kind = 'node_heartbeat'
     ORDER BY s."renewTime"`;
}

export async function loadHeartbeatGapHistory(db: Db, range: TimeRange, thresholdMs: number): Promise<Array<{ subject: Subject; periods: ActiveInterval[]; nodesInCluster: number }>> {
  const rows = await queryRows<LeaseRow & { renewTime: Date; intervalMs: number; nodes: number }>(db, heartbeatGapHistorySql(range, thresholdMs));
  const byLease = new Map<string, { subject: Subject; periods: ActiveInterval[]; nodesInCluster: number }>();
  for (const row of rows) {
    const entry = byLease.get(keyOf(row)) ?? { subject: subjectOf(row), periods: [], nodesInCluster: row.nodes };
    const end = row.renewTime.getTime();
    entry.periods.push({ start: end - row.intervalMs + thresholdMs, end });
    byLease.set(keyOf(row), entry);
  }
  return [...byLease.values()];
}
