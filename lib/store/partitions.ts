import type pg from 'pg';
import type { Logger } from '../log';
import type { PgStore } from './pg-store';
import { PeriodicJob, type Clock } from './periodic-job';
import { seenAtOf } from './renew-sample-sql';
import { readProgress } from './rollup-progress';

// The range-partitioned tables (migration 20261207040000) and how this module keeps them: partitions
// named prefix + UTC period, created ahead of time, dropped whole when retention passes them.
export type PartitionedTable = { table: 'RenewSample' | 'RenewRollup' | 'NodeHeartbeatMinute' | 'NodeHeartbeatTenMinute' | 'NodeHeartbeatHour'; column: string; unit: 'day' | 'month'; prefix: string };

export const renewSamplePartitions: PartitionedTable = { table: 'RenewSample', column: 'renewTime', unit: 'day', prefix: 'RenewSample_d' };
export const renewRollupPartitions: PartitionedTable = { table: 'RenewRollup', column: 'bucket', unit: 'month', prefix: 'RenewRollup_m' };
// The node heartbeat rollups (merges of RenewRollup rows; migration 20261207090000): monthly like RenewRollup,
// created ahead with it and dropped whole at its horizon.
export const nodeHeartbeatPartitions: PartitionedTable[] = (['NodeHeartbeatMinute', 'NodeHeartbeatTenMinute', 'NodeHeartbeatHour'] as const).map((table) => ({ table, column: 'bucket', unit: 'month', prefix: `${table}_m` }));
export const partitionedTables = [renewSamplePartitions, renewRollupPartitions, ...nodeHeartbeatPartitions];

const DAY_MS = 86_400_000;

export type RetentionConfig = { rawSamplesMs: number; rollupsMs: number };
export const defaultRetention: RetentionConfig = { rawSamplesMs: 7 * DAY_MS, rollupsMs: 400 * DAY_MS };

export const defaultTableName = (spec: PartitionedTable) => `${spec.table}_default`;

function periodStart(unit: PartitionedTable['unit'], ms: number): number {
  const date = new Date(ms);
  return unit === 'day' ? Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()) : Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
}

function nextPeriod(unit: PartitionedTable['unit'], start: number): number {
  const date = new Date(start);
  return unit === 'day' ? start + DAY_MS : Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
}

export function partitionName(spec: PartitionedTable, start: number): string {
  const iso = new Date(start).toISOString();
  const digits = iso.slice(0, 4) + iso.slice(5, 7) + (spec.unit === 'day' ? iso.slice(8, 10) : '');
  return spec.prefix + digits;
}

function startOfName(spec: PartitionedTable, name: string): number | null {
  const digits = name.slice(spec.prefix.length);
  const match = name.startsWith(spec.prefix) ? (spec.unit === 'day' ? /^(\d{4})(\d{2})(\d{2})$/ : /^(\d{4})(\d{2})$/).exec(digits) : null;
  if (!match) return null;
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3] ?? 1));
}

export type Partition = { name: string; from: number; to: number };

// The partitions this module manages (named by period); any other partition an operator attached is left alone.
export async function listPartitions(client: pg.ClientBase, spec: PartitionedTable): Promise<Partition[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = $1::regclass`,
    [`"${spec.table}"`],
  );
  const partitions: Partition[] = [];
  for (const { name } of rows) {
    const from = startOfName(spec, name);
    if (from !== null) partitions.push({ name, from, to: nextPeriod(spec.unit, from) });
  }
  return partitions.sort((a, b) => a.from - b.from);
}

const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;
const lockTimeoutCode = '55P03';

async function inTransaction<T>(client: pg.ClientBase, lockTimeoutMs: number, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    await client.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.round(lockTimeoutMs))}`);
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}

// A partition is built beside the table and attached: ATTACH takes only a SHARE UPDATE EXCLUSIVE lock
// on the parent, so ingest keeps writing to the other partitions meanwhile (CREATE … PARTITION OF would
// take an ACCESS EXCLUSIVE lock). Rows of its period that waited in DEFAULT move into it first.
async function createPartition(client: pg.ClientBase, spec: PartitionedTable, from: number, lockTimeoutMs: number): Promise<{ name: string; moved: number }> {
  const name = partitionName(spec, from);
  const to = nextPeriod(spec.unit, from);
  const bounds = [new Date(from).toISOString(), new Date(to).toISOString()];
  return inTransaction(client, lockTimeoutMs, async () => {
    await client.query(`LOCK TABLE ${quoted(defaultTableName(spec))} IN ACCESS EXCLUSIVE MODE`);
    await client.query(`CREATE TABLE ${quoted(name)} (LIKE ${quoted(spec.table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
    const moved = await client.query(
      `WITH moved AS (DELETE FROM ${quoted(defaultTableName(spec))} WHERE ${quoted(spec.column)} >= $1::timestamptz AND ${quoted(spec.column)} < $2::timestamptz RETURNING *)
       INSERT INTO ${quoted(name)} SELECT * FROM moved`,
      bounds,
    );
    await client.query(`ALTER TABLE ${quoted(spec.table)} ATTACH PARTITION ${quoted(name)} FOR VALUES FROM ('${bounds[0]}') TO ('${bounds[1]}')`);
    return { name, moved: moved.rowCount ?? 0 };
  });
}

// Renewals do not rewrite the Lease row, and readers take the newest renew sample when it is newer:
// before a raw day goes, its last sample of each lease is written to the row, so an idle lease's last
// renewal survives retention (one probe of the partition's primary key per lease).
async function stampLastRenewals(client: pg.ClientBase, name: string): Promise<void> {
  await client.query(
    `UPDATE "Lease" l SET "renewTime" = s."renewTime", "observedAt" = GREATEST(l."observedAt", s."seenAt")
       FROM "Lease" k
      CROSS JOIN LATERAL (SELECT "renewTime", ${seenAtOf()} AS "seenAt" FROM ${quoted(name)} WHERE "leaseId" = k.id ORDER BY "renewTime" DESC LIMIT 1) s
      WHERE l.id = k.id AND (l."renewTime" IS NULL OR l."renewTime" < s."renewTime")`,
  );
}

// Dropping a partition is a catalog change and an unlink: no row is deleted, nothing is left to vacuum.
// It needs a brief ACCESS EXCLUSIVE lock on the parent; lock_timeout keeps a long ingest transaction
// from queueing everyone behind it, and the next run tries again.
async function dropPartition(client: pg.ClientBase, name: string, lockTimeoutMs: number): Promise<void> {
  await inTransaction(client, lockTimeoutMs, () => client.query(`DROP TABLE ${quoted(name)}`));
}

export type MaintenanceOptions = {
  now: Date;
  retention?: RetentionConfig;
  // Partitions exist from the current period through this many periods ahead (days or months).
  daysAhead?: number;
  monthsAhead?: number;
  lockTimeoutMs?: number;
  // Also create the partitions from this time on (an import, a backfill); by default from now.
  createFrom?: Date;
};

export type TableMaintenance = {
  table: PartitionedTable['table'];
  created: string[];
  dropped: string[];
  // Partitions past retention kept because the rollups have not reached their end yet.
  keptForRollups: string[];
  // Partitions whose lock was not granted within lockTimeoutMs: the next run tries again.
  deferred: string[];
  // Partitions whose creation or drop failed otherwise (the others went on): the next run tries again.
  failed: Array<{ name: string; error: string }>;
  movedFromDefault: number;
  deletedFromDefault: number;
  droppedBefore: Date | null;
};

export type MaintenanceResult = { isSkipped: boolean; tables: TableMaintenance[] };

// horizon: everything before it goes (null: nothing may go yet).
async function maintainTable(client: pg.ClientBase, spec: PartitionedTable, horizon: number | null, ahead: number, options: Required<Omit<MaintenanceOptions, 'retention' | 'createFrom'>> & { createFrom?: Date }): Promise<TableMaintenance> {
  const result: TableMaintenance = { table: spec.table, created: [], dropped: [], keptForRollups: [], deferred: [], failed: [], movedFromDefault: 0, deletedFromDefault: 0, droppedBefore: null };
  // One partition's error is its own: the others are still created and dropped. Only an error that
  // left the connection unusable (no SQLSTATE) ends the run.
  const setAside = (name: string, error: unknown) => {
    const code = (error as { code?: string }).code;
    if (code === undefined) throw error;
    if (code === lockTimeoutCode) result.deferred.push(name);
    else result.failed.push({ name, error: error instanceof Error ? error.message : String(error) });
  };
  const now = options.now.getTime();
  const column = quoted(spec.column);
  const defaultTable = quoted(defaultTableName(spec));

  // A period before the recorded horizon never comes back, even when this run's horizon is earlier
  // (it waits for a queued late minute): its raw rows are gone, late ones are merged from DEFAULT.
  const { rows: recorded } = await client.query<{ at: Date }>(`SELECT "droppedBefore" AS at FROM "RetentionHorizon" WHERE "table" = $1`, [spec.table]);
  const keptFrom = Math.max(horizon ?? Number.NEGATIVE_INFINITY, recorded[0]?.at.getTime() ?? Number.NEGATIVE_INFINITY);

  // Periods from now through `ahead`, and every retained period with rows waiting in DEFAULT.
  const wanted = new Set<number>();
  const last = periodStart(spec.unit, now);
  for (let start = last, n = 0; n <= ahead; start = nextPeriod(spec.unit, start), n += 1) wanted.add(start);
  if (options.createFrom) {
    for (let start = periodStart(spec.unit, Math.max(options.createFrom.getTime(), keptFrom)); start < last; start = nextPeriod(spec.unit, start)) wanted.add(start);
  }
  const { rows: waiting } = await client.query<{ period: Date }>(
    `SELECT DISTINCT date_trunc('${spec.unit}', ${column}, 'UTC') AS period FROM ${defaultTable} WHERE $1::timestamptz IS NULL OR ${column} >= $1::timestamptz`,
    [Number.isFinite(keptFrom) ? new Date(keptFrom) : null],
  );
  for (const { period } of waiting) wanted.add(period.getTime());
  const existing = new Set((await listPartitions(client, spec)).map((p) => p.from));
  for (const start of [...wanted].sort((a, b) => a - b)) {
    if (existing.has(start)) continue;
    try {
      const created = await createPartition(client, spec, start, options.lockTimeoutMs);
      result.created.push(created.name);
      result.movedFromDefault += created.moved;
    } catch (error) {
      setAside(partitionName(spec, start), error);
    }
  }

  if (horizon === null) return result;
  // Recorded before anything goes: a read meanwhile is answered from the rollups, which hold every
  // minute before the horizon, instead of from raw days half dropped.
  await client.query(
    `INSERT INTO "RetentionHorizon" ("table", "droppedBefore", "updatedAt") VALUES ($1, $2::timestamptz, now())
     ON CONFLICT ("table") DO UPDATE SET "droppedBefore" = GREATEST("RetentionHorizon"."droppedBefore", EXCLUDED."droppedBefore"), "updatedAt" = now()`,
    [spec.table, new Date(horizon)],
  );
  result.droppedBefore = new Date(keptFrom);
  for (const partition of await listPartitions(client, spec)) {
    if (partition.to > horizon) continue;
    try {
      if (spec === renewSamplePartitions) await stampLastRenewals(client, partition.name);
      await dropPartition(client, partition.name, options.lockTimeoutMs);
      result.dropped.push(partition.name);
    } catch (error) {
      setAside(partition.name, error);
    }
  }
  // Stragglers older than the horizon wait in DEFAULT only until here: it never holds more than the
  // late rows of one maintenance interval. A late renew sample whose minute is queued stays until the
  // rollup job has added it to its minute.
  const unqueued = spec === renewSamplePartitions
    ? ` AND NOT EXISTS (SELECT 1 FROM "RenewRollupPending" p WHERE p."leaseId" = d."leaseId" AND p.bucket = date_trunc('minute', d."renewTime", 'UTC'))`
    : '';
  const deleted = await client.query(`DELETE FROM ${defaultTable} d WHERE ${column} < $1::timestamptz${unqueued}`, [new Date(keptFrom)]);
  result.deletedFromDefault = deleted.rowCount ?? 0;
  return result;
}

// Replicas take turns: whoever holds this lock maintains partitions, the others skip the run. Its own
// key: the renew rollups hold 2 and the timeline rollups 3, and sharing one would make each job skip
// its runs while the other works.
export const PARTITION_LOCK = { namespace: 0x4c41, key: 4 } as const;

// Creates the partitions of the current and the next periods and drops those past retention. Raw
// samples are dropped only up to where the rollups reach and before the oldest queued late minute,
// so no sample is lost from both.
export async function maintainPartitions(store: PgStore, options: MaintenanceOptions): Promise<MaintenanceResult> {
  const retention = options.retention ?? defaultRetention;
  const settled = { now: options.now, daysAhead: options.daysAhead ?? 7, monthsAhead: options.monthsAhead ?? 2, lockTimeoutMs: options.lockTimeoutMs ?? 1_000, createFrom: options.createFrom };
  const client = await store.pool.connect();
  // A connection that failed mid-run (perhaps still holding the lock or a transaction) is closed, not pooled.
  let failure: Error | undefined;
  try {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::int, $2::int) AS locked', [PARTITION_LOCK.namespace, PARTITION_LOCK.key]);
    if (!rows[0]?.locked) return { isSkipped: true, tables: [] };
    try {
      const now = options.now.getTime();
      const rolledUntil = (await readProgress(client, 'renewals'))?.rolledUntil.getTime();
      const rawCut = periodStart('day', now - retention.rawSamplesMs);
      // Nor past a late sample still queued for the rollups: its minute is aggregated again from the raw rows.
      const { rows: queued } = await client.query<{ oldest: Date | null }>(`SELECT min(bucket) AS oldest FROM "RenewRollupPending"`);
      const oldestQueued = queued[0]?.oldest ? periodStart('day', queued[0].oldest.getTime()) : Number.POSITIVE_INFINITY;
      const rawHorizon = rolledUntil === undefined ? null : Math.min(rawCut, periodStart('day', rolledUntil), oldestQueued);
      const rawTable = await maintainTable(client, renewSamplePartitions, rawHorizon, settled.daysAhead, settled);
      if (rawHorizon === null || rawHorizon < rawCut) {
        for (const partition of await listPartitions(client, renewSamplePartitions)) {
          if (partition.to <= rawCut && (rawHorizon === null || partition.to > rawHorizon)) rawTable.keptForRollups.push(partition.name);
        }
      }
      const rollupCut = periodStart('month', now - retention.rollupsMs);
      const rollupTable = await maintainTable(client, renewRollupPartitions, rollupCut, settled.monthsAhead, settled);
      // The node heartbeat rollups (merges of RenewRollup rows) follow the same horizon, a whole month at a time.
      const nodeTables: TableMaintenance[] = [];
      for (const spec of nodeHeartbeatPartitions) nodeTables.push(await maintainTable(client, spec, rollupCut, settled.monthsAhead, settled));
      return { isSkipped: false, tables: [rawTable, rollupTable, ...nodeTables] };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1::int, $2::int)', [PARTITION_LOCK.namespace, PARTITION_LOCK.key]);
    }
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    client.release(failure);
  }
}

export const PARTITION_INTERVAL_MS = 60 * 60_000;

export type PartitionJobOptions = { store: PgStore; log: Logger; clock?: Clock; intervalMs?: number; maintenance?: Omit<MaintenanceOptions, 'now'> };

// The runnable the controller starts: maintenance at start (so today's partition exists before the
// first write would need DEFAULT), then every hour. A failed run is logged and retried next time.
export class PartitionJob extends PeriodicJob<MaintenanceResult> {
  constructor(private readonly options: PartitionJobOptions) {
    super({ what: 'partition maintenance', log: options.log, intervalMs: options.intervalMs ?? PARTITION_INTERVAL_MS, clock: options.clock });
  }

  protected async run(): Promise<MaintenanceResult> {
    const { store, log, maintenance } = this.options;
    const result = await maintainPartitions(store, { ...maintenance, now: new Date(this.clock.now()) });
    if (result.isSkipped) log.info('partition maintenance skipped: another replica holds the partition lock');
    for (const table of result.tables) {
      if (table.failed.length > 0) log.warn({ table: table.table, failed: table.failed }, 'partitions not maintained; will retry');
      if (table.created.length + table.dropped.length + table.deferred.length + table.keptForRollups.length + table.deletedFromDefault > 0) log.info({ ...table, droppedBefore: table.droppedBefore?.toISOString() ?? null }, 'partitions maintained');
    }
    return result;
  }
}
