import { finished } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { changesChannel, type ChangeNotice } from '../changes/notice';
import type { GapWrite, LeaseKey, LeaseRowWrite, RenewalEvent, SkewClearedEvent, SkewEvent, TransitionRow } from '../leases';
import { BinaryCopyWriter, microsOf } from './copy-binary';

export type { GapWrite, LeaseRowWrite as LeaseWrite, TransitionRow };

export type IngestBatch = {
  cluster: string;
  clusterId: number;
  // Lease rows to write: every change except a renewal alone (renewals live in RenewSample).
  leases: LeaseRowWrite[];
  // Events carry their lease's row id when the caller knows it; the others are looked up. A batch of
  // renewals of known leases (the hot path) needs no lookup at all.
  transitions: Array<{ key: LeaseKey; event: TransitionRow; leaseId?: number }>;
  renewals: Array<{ key: LeaseKey; event: RenewalEvent; leaseId?: number }>;
  skews?: Array<{ key: LeaseKey; event: SkewEvent | SkewClearedEvent; leaseId?: number }>;
  gaps: GapWrite[];
  lastEventAt: number | null;
  lastSeenAt: number;
  resourceVersion: string | null;
};

export type StoredTransition = {
  id: string;
  leaseId: number;
  namespace: string;
  name: string;
  kind: string;
  cause: string | null;
  at: Date;
  fromHolder: string | null;
  toHolder: string | null;
};

// leaseIds: the row id of every lease this batch touched, for the caller's cache.
export type IngestResult = { transitions: StoredTransition[]; renewals: number; leaseIds: Map<string, number> };

const leaseKeyOf = (key: LeaseKey) => `${key.namespace}/${key.name}`;

function toDate(ms: number | null): Date | null {
  return ms === null ? null : new Date(ms);
}

// Durations are int4 columns: beyond ~24.8 days a value is stored as that ceiling, not as an overflow.
const int4Max = 2_147_483_647;
function toInt4(value: number | null): number | null {
  return value === null ? null : Math.min(int4Max, Math.round(value));
}

function transitionColumns(event: TransitionRow) {
  switch (event.type) {
    case 'transition':
      return {
        kind: event.kind,
        cause: event.cause,
        at: event.atIso ?? new Date(event.at).toISOString(),
        fromHolder: event.fromHolder,
        toHolder: event.toHolder,
        isRestart: event.isRestart,
        leaderlessMs: toInt4(event.leaderlessMs),
        overlapMs: toInt4(event.overlapMs),
        leaseTransitions: event.leaseTransitions,
        missedCount: event.missedCount,
      };
    case 'missed':
      return {
        kind: 'missed',
        cause: null,
        at: new Date(event.observedAt).toISOString(),
        fromHolder: event.holder,
        toHolder: event.holder,
        isRestart: false,
        leaderlessMs: null,
        overlapMs: null,
        leaseTransitions: event.toTransitions,
        missedCount: event.count,
      };
    case 'resumed':
      return {
        kind: 'resumed',
        cause: null,
        at: event.renewTime.iso,
        fromHolder: event.holder,
        toHolder: event.holder,
        isRestart: false,
        leaderlessMs: null,
        overlapMs: null,
        leaseTransitions: null,
        missedCount: 0,
      };
  }
}

async function upsertLeases(client: pg.ClientBase, clusterId: number, leases: LeaseRowWrite[]): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  if (leases.length === 0) return ids;
  const column = <T>(pick: (lease: LeaseRowWrite) => T) => leases.map(pick);
  const { rows } = await client.query<{ id: number; namespace: string; name: string }>(
    `INSERT INTO "Lease" ("clusterId", namespace, name, kind, uid, "holderIdentity", "leaseDurationSeconds", "acquireTime", "renewTime",
                          "leaseTransitions", strategy, "preferredHolder", "resourceVersion", "observedAt", "holderSince", "lastCause",
                          "skewSuspectedMs", "deletedAt", "malformedCount", labels, "updatedAt")
     SELECT $1, * , now() FROM unnest($2::text[], $3::text[], $4::"LeaseKind"[], $5::text[], $6::text[], $7::int[], $8::timestamptz[], $9::timestamptz[],
                                     $10::int[], $11::text[], $12::text[], $13::text[], $14::timestamptz[], $15::timestamptz[], $16::"AcquireCause"[],
                                     $17::int[], $18::timestamptz[], $19::int[], $20::jsonb[])
     ON CONFLICT ("clusterId", namespace, name) DO UPDATE SET
       kind = EXCLUDED.kind, uid = EXCLUDED.uid, "holderIdentity" = EXCLUDED."holderIdentity",
       "leaseDurationSeconds" = EXCLUDED."leaseDurationSeconds", "acquireTime" = EXCLUDED."acquireTime", "renewTime" = EXCLUDED."renewTime",
       "leaseTransitions" = EXCLUDED."leaseTransitions", strategy = EXCLUDED.strategy, "preferredHolder" = EXCLUDED."preferredHolder",
       "resourceVersion" = EXCLUDED."resourceVersion", "observedAt" = EXCLUDED."observedAt", "holderSince" = EXCLUDED."holderSince",
       "lastCause" = EXCLUDED."lastCause", "skewSuspectedMs" = EXCLUDED."skewSuspectedMs", "deletedAt" = EXCLUDED."deletedAt",
       "malformedCount" = "Lease"."malformedCount" + EXCLUDED."malformedCount", labels = EXCLUDED.labels, "updatedAt" = now()
     RETURNING id, namespace, name`,
    [
      clusterId,
      column((l) => l.key.namespace),
      column((l) => l.key.name),
      column((l) => l.stored.kind),
      column((l) => l.stored.uid),
      column((l) => l.stored.holderIdentity),
      column((l) => l.stored.leaseDurationSeconds),
      column((l) => l.stored.acquireTime),
      column((l) => l.stored.renewTime),
      column((l) => l.stored.leaseTransitions),
      column((l) => l.stored.strategy),
      column((l) => l.stored.preferredHolder),
      column((l) => l.stored.resourceVersion),
      column((l) => l.stored.observedAt),
      column((l) => l.stored.holderSince),
      column((l) => l.stored.lastCause),
      column((l) => l.stored.skewSuspectedMs),
      column((l) => l.stored.deletedAt),
      column((l) => l.malformed),
      column((l) => JSON.stringify(l.stored.labels)),
    ],
  );
  for (const row of rows) ids.set(`${row.namespace}/${row.name}`, row.id);
  return ids;
}

async function resolveLeaseIds(client: pg.ClientBase, clusterId: number, keys: LeaseKey[], ids: Map<string, number>): Promise<void> {
  const missing = new Map<string, LeaseKey>();
  for (const key of keys) {
    const text = leaseKeyOf(key);
    if (!ids.has(text)) missing.set(text, key);
  }
  if (missing.size === 0) return;
  const wanted = [...missing.values()];
  const { rows } = await client.query<{ id: number; namespace: string; name: string }>(
    `SELECT l.id, l.namespace, l.name FROM unnest($2::text[], $3::text[]) AS k(namespace, name)
       JOIN "Lease" l ON l."clusterId" = $1 AND l.namespace = k.namespace AND l.name = k.name`,
    [clusterId, wanted.map((key) => key.namespace), wanted.map((key) => key.name)],
  );
  for (const row of rows) ids.set(`${row.namespace}/${row.name}`, row.id);
}

const renewSampleColumns = '"leaseId", "renewTime", "intervalMs", "lagMs"';

// A sample is filed at its renewTime, but never later than we saw it: a holder whose clock runs ahead
// (or a renewTime of 2036) would otherwise sort as the newest sample for years.
function sampleMicros(event: RenewalEvent): number {
  return event.renewTime.ms > event.observedAt ? event.observedAt * 1000 : microsOf(event.renewTime);
}

function sampleTime(event: RenewalEvent): string {
  return event.renewTime.ms > event.observedAt ? new Date(event.observedAt).toISOString() : event.renewTime.iso;
}

function lagOf(event: RenewalEvent): number | null {
  return event.lagMs === null ? null : Math.max(-int4Max, toInt4(event.lagMs)!);
}

// The hot path: one binary COPY, no text for PostgreSQL to parse. A sample may already be stored
// (a relist after a restart re-observes the last renewal): then the COPY fails on the primary key, the
// batch is undone and written again the idempotent way. That is rare by design, and it costs no
// savepoint on the common path (inside a group commit every savepoint is a subtransaction).
const batchSavepoint = 'cluster_batch';

class DuplicateSampleError extends Error {
  override name = 'DuplicateSampleError';
}

async function insertRenewals(client: pg.ClientBase, renewals: Array<{ leaseId: number; event: RenewalEvent }>, options: { isIdempotent: boolean }): Promise<number> {
  if (!options.isIdempotent) {
    const writer = new BinaryCopyWriter(renewals.length * 38 + 64);
    for (const { event, leaseId } of renewals) {
      writer.startRow(4);
      writer.int4(leaseId);
      writer.timestamptzUs(sampleMicros(event));
      writer.int4(toInt4(event.intervalMs));
      writer.int4(lagOf(event));
    }
    const bytes = writer.finish();
    try {
      const copy = client.query(copyFrom(`COPY "RenewSample" (${renewSampleColumns}) FROM STDIN (FORMAT binary)`));
      // One buffer, written and ended: stream.pipeline would add a Readable and an AbortController whose abort at
      // the end builds a DOMException with a stack trace per batch (≈ 1 % of the controller's CPU in the latency bench).
      copy.end(bytes);
      await finished(copy);
      return copy.rowCount ?? renewals.length;
    } catch (error) {
      if ((error as { code?: string }).code === '23505') throw new DuplicateSampleError('a renew sample of the batch is already stored', { cause: error });
      throw error;
    }
  }
  const result = await client.query(
    `INSERT INTO "RenewSample" (${renewSampleColumns})
     SELECT * FROM unnest($1::int[], $2::timestamptz[], $3::int[], $4::int[])
     ON CONFLICT ("leaseId", "renewTime") DO NOTHING`,
    [
      renewals.map((r) => r.leaseId),
      renewals.map((r) => sampleTime(r.event)),
      renewals.map((r) => toInt4(r.event.intervalMs)),
      renewals.map((r) => lagOf(r.event)),
    ],
  );
  return result.rowCount ?? 0;
}

export { changesChannel, type ChangeNotice };

// Events of a lease whose row was never stored (its first write was quarantined): a fault of that
// lease's data, isolated like one.
export class MissingLeaseRowError extends Error {
  override name = 'MissingLeaseRowError';
}

// NOTIFY is delivered on commit, to every process that LISTENs (the web tier may run elsewhere).
// A payload must stay under 8000 bytes: past 100 leases the notice just names the cluster.
function changeNotice(batch: IngestBatch, transitions: number, renewals: number): string | null {
  if (batch.leases.length === 0 && transitions === 0 && renewals === 0) return null;
  const changed = new Set<string>();
  for (const lease of batch.leases) changed.add(leaseKeyOf(lease.key));
  for (const { key } of batch.transitions) changed.add(leaseKeyOf(key));
  for (const { key } of batch.renewals) if (changed.size <= 100) changed.add(leaseKeyOf(key));
  const leases = changed.size <= 100 ? [...changed] : undefined;
  const notice: ChangeNotice = { cluster: batch.cluster, ...(leases ? { leases } : {}), transitions, renewals };
  return JSON.stringify(notice);
}

const skewReasons = { 'future-renew': 'future_renew', 'steady-offset': 'steady_offset' } as const;

// A holder has at most one open episode: a revised offset updates it, a cleared skew closes it.
async function writeSkewEpisodes(client: pg.ClientBase, skews: NonNullable<IngestBatch['skews']>, idOf: (entry: { key: LeaseKey; leaseId?: number }) => number): Promise<void> {
  for (const entry of skews) {
    const leaseId = idOf(entry);
    const { event } = entry;
    if (event.type === 'skew-cleared') {
      await client.query(`UPDATE "SkewEpisode" SET "endedAt" = $3 WHERE "leaseId" = $1 AND holder = $2 AND "endedAt" IS NULL`, [leaseId, event.holder, new Date(event.observedAt)]);
      continue;
    }
    const updated = await client.query(`UPDATE "SkewEpisode" SET "offsetMs" = $3, reason = $4 WHERE "leaseId" = $1 AND holder = $2 AND "endedAt" IS NULL`, [
      leaseId,
      event.holder,
      toInt4(event.offsetMs),
      skewReasons[event.reason],
    ]);
    if (updated.rowCount === 0) {
      await client.query(`INSERT INTO "SkewEpisode" ("leaseId", holder, reason, "offsetMs", "startedAt") VALUES ($1, $2, $3, $4, $5)`, [
        leaseId,
        event.holder,
        skewReasons[event.reason],
        toInt4(event.offsetMs),
        new Date(event.startedAt),
      ]);
    }
  }
}

// Where a batch's writes go: its own transaction (default); `inTransaction`: a savepoint of its own inside
// the caller's transaction; `within`: straight into the caller's transaction at the caller's savepoint of
// that name (a group commit's member), which a failure rolls back to: the batch must be the first thing
// written since that savepoint.
export type BatchTransaction = { inTransaction?: boolean; within?: string };

// Writes one batch of one cluster in one transaction on the caller's connection (the one holding
// the cluster's advisory lock, so a replica that lost ownership cannot write). Idempotent throughout.
// Round trips are what a quiet cluster's latency is made of (every batch waits for the ones before it
// on the session): the common batch, renewals of known leases only, takes four.
export async function writeBatch(client: pg.ClientBase, batch: IngestBatch, options: BatchTransaction = {}): Promise<IngestResult> {
  try {
    return await writeBatchOnce(client, batch, options, { isIdempotent: false });
  } catch (error) {
    if (!(error instanceof DuplicateSampleError)) throw error;
  }
  return writeBatchOnce(client, batch, options, { isIdempotent: true });
}

function transactionStatements(options: BatchTransaction): [begin: string | null, commit: string | null, rollback: string] {
  if (options.within !== undefined) return [null, null, `ROLLBACK TO SAVEPOINT ${options.within}`];
  if (options.inTransaction) return [`SAVEPOINT ${batchSavepoint}`, `RELEASE SAVEPOINT ${batchSavepoint}`, `ROLLBACK TO SAVEPOINT ${batchSavepoint}`];
  return ['BEGIN', 'COMMIT', 'ROLLBACK'];
}

async function writeBatchOnce(client: pg.ClientBase, batch: IngestBatch, options: BatchTransaction, renewalMode: { isIdempotent: boolean }): Promise<IngestResult> {
  const isRenewalFirst = batch.renewals.length > 0 && batch.renewals.every((renewal) => renewal.leaseId !== undefined);
  const [begin, commit, rollback] = transactionStatements(options);
  if (begin) await client.query(begin);
  try {
    // isRenewalFirst: every renewal carries its leaseId.
    const renewalsFirst = isRenewalFirst ? await insertRenewals(client, batch.renewals as Array<{ leaseId: number; event: RenewalEvent }>, renewalMode) : 0;
    const ids = await upsertLeases(client, batch.clusterId, batch.leases);
    const unknown = [...batch.transitions, ...batch.renewals, ...(batch.skews ?? [])].filter((entry) => entry.leaseId === undefined).map((entry) => entry.key);
    await resolveLeaseIds(client, batch.clusterId, unknown, ids);
    const idOf = (entry: { key: LeaseKey; leaseId?: number }) => {
      const id = entry.leaseId ?? ids.get(leaseKeyOf(entry.key));
      if (id === undefined) throw new MissingLeaseRowError(`lease ${leaseKeyOf(entry.key)} of cluster ${batch.clusterId} has events but no row`);
      return id;
    };

    let transitions: StoredTransition[] = [];
    if (batch.transitions.length > 0) {
      const rows = batch.transitions.map((entry) => ({ leaseId: idOf(entry), eventKey: entry.event.eventKey, observedAt: new Date(entry.event.observedAt), ...transitionColumns(entry.event) }));
      const column = <T>(pick: (row: (typeof rows)[number]) => T) => rows.map(pick);
      const inserted = await client.query<StoredTransition>(
        `WITH inserted AS (
           INSERT INTO "Transition" ("leaseId", "clusterId", "eventKey", kind, cause, at, "observedAt", "fromHolder", "toHolder", "isRestart",
                                     "leaderlessMs", "overlapMs", "leaseTransitions", "missedCount")
           SELECT t."leaseId", $1, t."eventKey", t.kind, t.cause, t.at, t."observedAt", t."fromHolder", t."toHolder", t."isRestart",
                  t."leaderlessMs", t."overlapMs", t."leaseTransitions", t."missedCount"
             FROM unnest($2::int[], $3::text[], $4::"TransitionKind"[], $5::"AcquireCause"[], $6::timestamptz[], $7::timestamptz[], $8::text[], $9::text[],
                         $10::bool[], $11::int[], $12::int[], $13::int[], $14::int[])
               AS t("leaseId", "eventKey", kind, cause, at, "observedAt", "fromHolder", "toHolder", "isRestart", "leaderlessMs", "overlapMs", "leaseTransitions", "missedCount")
           ON CONFLICT ("leaseId", "eventKey") DO NOTHING
           RETURNING id::text, "leaseId", kind::text, cause::text, at, "fromHolder", "toHolder", "missedCount", kind = 'acquired' AS counts
         ), counted AS (
           UPDATE "Lease" l SET "transitionCount" = l."transitionCount" + c.acquired, "missedCount" = l."missedCount" + c.missed
             FROM (SELECT "leaseId", count(*) FILTER (WHERE counts)::int AS acquired, sum("missedCount")::int AS missed FROM inserted GROUP BY "leaseId") c
            WHERE l.id = c."leaseId"
         )
         SELECT i.id, i."leaseId", l.namespace, l.name, i.kind, i.cause, i.at, i."fromHolder", i."toHolder"
           FROM inserted i JOIN "Lease" l ON l.id = i."leaseId"`,
        [
          batch.clusterId,
          column((r) => r.leaseId),
          column((r) => r.eventKey),
          column((r) => r.kind),
          column((r) => r.cause),
          column((r) => r.at),
          column((r) => r.observedAt),
          column((r) => r.fromHolder),
          column((r) => r.toHolder),
          column((r) => r.isRestart),
          column((r) => r.leaderlessMs),
          column((r) => r.overlapMs),
          column((r) => r.leaseTransitions),
          column((r) => r.missedCount),
        ],
      );
      transitions = inserted.rows;
    }

    const renewals = isRenewalFirst
      ? renewalsFirst
      : batch.renewals.length > 0
        ? await insertRenewals(client, batch.renewals.map((renewal) => ({ leaseId: idOf(renewal), event: renewal.event })), renewalMode)
        : 0;

    await writeSkewEpisodes(client, batch.skews ?? [], idOf);

    for (const gap of batch.gaps) {
      await client.query(
        `INSERT INTO "ObservationGap" ("clusterId", "startedAt", "endedAt", reason, detail) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT ("clusterId", "startedAt") DO UPDATE SET "endedAt" = COALESCE(EXCLUDED."endedAt", "ObservationGap"."endedAt")`,
        [batch.clusterId, new Date(gap.startedAt), toDate(gap.endedAt), gap.reason, gap.detail],
      );
    }

    await client.query(
      `WITH updated AS (
         UPDATE "Cluster" SET "lastSeenAt" = GREATEST("lastSeenAt", $2), "lastEventAt" = COALESCE(GREATEST("lastEventAt", $3), "lastEventAt", $3),
                "resourceVersion" = COALESCE($4, "resourceVersion"), "updatedAt" = now() WHERE id = $1 RETURNING id
       )
       SELECT pg_notify($5, $6) FROM updated WHERE $6::text IS NOT NULL`,
      [batch.clusterId, new Date(batch.lastSeenAt), toDate(batch.lastEventAt), batch.resourceVersion, changesChannel, changeNotice(batch, transitions.length, renewals)],
    );
    if (commit) await client.query(commit);
    return { transitions, renewals, leaseIds: ids };
  } catch (error) {
    await client.query(rollback).catch(() => undefined);
    throw error;
  }
}
