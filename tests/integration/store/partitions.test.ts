import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RenewalEvent, StoredLease } from '../../../lib/leases';
import { parseMicroTime } from '../../../lib/leases/micro-time';
import { writeBatch, type IngestBatch } from '../../../lib/store/ingest';
import { defaultMigrationsDir, listMigrationFiles, migrate } from '../../../lib/store/migrate';
import { rebuildNodeHeartbeatRollupsSql } from '../../../lib/store/node-heartbeat-rollups';
import { listPartitions, maintainPartitions, nodeHeartbeatPartitions, PARTITION_LOCK, PartitionJob, partitionedTables, renewRollupPartitions, renewSamplePartitions } from '../../../lib/store/partitions';
import { listRenewals } from '../../../lib/store/renewals';
import { LATE_SAMPLE_MS, rollUpRenewals } from '../../../lib/store/rollups';
import { rollUpTimelines } from '../../../lib/store/timeline-rollups';
import { createEmptyDatabase, createMigratedDatabase, type MigratedDatabase } from '../helpers/database';
import { diffPartitioning } from '../helpers/schema-diff';
import { seedCluster, seedLease } from '../helpers/seed';

const DAY = 86_400_000;
const MINUTE = 60_000;
const retention = { rawSamplesMs: 7 * DAY, rollupsMs: 400 * DAY };

let db: MigratedDatabase;
let client: pg.Client;

// Each describe gets a database of its own: the rollup job's progress is per database, and each
// describe lives at its own time.
function useDatabase(prefix: string): void {
  beforeAll(async () => {
    db = await createMigratedDatabase(prefix);
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
    await db.drop();
  });
}

const names = async (spec = renewSamplePartitions) => (await listPartitions(client, spec)).map((p) => p.name);
const count = async (table: string, where = 'true', values: unknown[] = []) =>
  Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM "${table}" WHERE ${where}`, values)).rows[0]!.n);

// Samples every 30 s in [from, to) for one lease, inserted as the ingest would (one statement per call).
async function insertSamples(leaseId: number, from: number, to: number, stepMs = 30_000): Promise<number> {
  const { rowCount } = await client.query(
    `INSERT INTO "RenewSample" ("leaseId", "renewTime", "intervalMs", "lagMs")
     SELECT $1::int, t, $4::int, 7 FROM generate_series($2::timestamptz, $3::timestamptz - interval '1 microsecond', make_interval(secs => $4::int / 1000.0)) AS t`,
    [leaseId, new Date(from), new Date(to), stepMs],
  );
  return rowCount ?? 0;
}

describe('partition maintenance', () => {
  useDatabase('partitions');

  it('creates the partitions of today and the days and months ahead, and is idempotent', async () => {
    const now = new Date('2031-02-27T15:00:00Z');
    const first = await maintainPartitions(db.store, { now, retention, daysAhead: 3, monthsAhead: 2 });
    expect(first.tables.find((t) => t.table === 'RenewSample')!.created).toEqual(['RenewSample_d20310227', 'RenewSample_d20310228', 'RenewSample_d20310301', 'RenewSample_d20310302']);
    expect(first.tables.find((t) => t.table === 'RenewRollup')!.created).toEqual(['RenewRollup_m203102', 'RenewRollup_m203103', 'RenewRollup_m203104']);
    // The node heartbeat rollups are partitioned the same way, created ahead with RenewRollup.
    for (const table of ['NodeHeartbeatMinute', 'NodeHeartbeatTenMinute', 'NodeHeartbeatHour']) {
      expect(first.tables.find((t) => t.table === table)?.created).toEqual([`${table}_m203102`, `${table}_m203103`, `${table}_m203104`]);
    }
    const again = await maintainPartitions(db.store, { now, retention, daysAhead: 3, monthsAhead: 2 });
    expect(again.tables.flatMap((t) => t.created)).toEqual([]);
    // Attached partitions carry every index of their parent (and RenewRollup's foreign key).
    expect(await diffPartitioning(partitionedTables, client)).toEqual([]);
    for (const partition of ['RenewRollup_m203103', 'NodeHeartbeatMinute_m203103', 'NodeHeartbeatTenMinute_m203103', 'NodeHeartbeatHour_m203103']) {
      const { rows: keys } = await client.query(`SELECT 1 FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'f'`, [`"${partition}"`]);
      expect(keys, partition).toHaveLength(1);
    }
    // A sample of a created day lands in its partition, not in DEFAULT.
    const cluster = await seedCluster(db.store, 'ahead');
    const lease = await seedLease(db.store, cluster, { namespace: 'kube-system', name: 'ahead' });
    await insertSamples(lease.id, Date.parse('2031-03-02T00:00:00Z'), Date.parse('2031-03-02T00:05:00Z'));
    expect(await count('RenewSample_d20310302')).toBe(10);
    expect(await count('RenewSample_default', '"leaseId" = $1', [lease.id])).toBe(0);
  });

  it('never fails an insert for want of a partition: DEFAULT takes it, and the next run moves it into a partition of its own', async () => {
    const cluster = await seedCluster(db.store, 'stray');
    const lease = await seedLease(db.store, cluster, { namespace: 'kube-system', name: 'stray' });
    const day = Date.parse('2032-05-10T00:00:00Z');
    expect(await names()).not.toContain('RenewSample_d20320510');
    expect(await insertSamples(lease.id, day + 3_600_000, day + 3_600_000 + 10 * MINUTE)).toBe(20);
    expect(await count('RenewSample_default', '"leaseId" = $1', [lease.id])).toBe(20);
    const result = await maintainPartitions(db.store, { now: new Date(day + 12 * 3_600_000), retention, daysAhead: 0, monthsAhead: 0 });
    const raw = result.tables.find((t) => t.table === 'RenewSample')!;
    expect(raw.created).toContain('RenewSample_d20320510');
    expect(raw.movedFromDefault).toBe(20);
    expect(await count('RenewSample_default', '"leaseId" = $1', [lease.id])).toBe(0);
    expect(await count('RenewSample_d20320510', '"leaseId" = $1', [lease.id])).toBe(20);
  });

  it('runs while the timeline rollups run: the two jobs hold different locks', async () => {
    const now = new Date('2031-02-27T15:00:00Z');
    // The timeline rollup takes its lock, then waits on the Transition table held here.
    const blocker = new pg.Client({ connectionString: db.url });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE "Transition" IN ACCESS EXCLUSIVE MODE');
      const timelines = rollUpTimelines(db.store, { now });
      for (;;) {
        const { rows } = await client.query(`SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%FROM "Transition"%'`);
        if (rows.length > 0) break;
      }
      expect((await maintainPartitions(db.store, { now, retention, daysAhead: 3, monthsAhead: 2 })).isSkipped).toBe(false);
      await blocker.query('COMMIT');
      expect((await timelines).isSkipped).toBe(false);
    } finally {
      await blocker.end();
    }
  });

  it('goes on with the other partitions when one fails, and says which', async () => {
    // A table of the name the job would create blocks that one partition only.
    await client.query('CREATE TABLE "RenewSample_d20400102" (x int)');
    try {
      const lines: Array<{ msg: string; failed?: Array<{ name: string }> }> = [];
      const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as { msg: string }) });
      const job = new PartitionJob({ store: db.store, log, clock: { now: () => Date.parse('2040-01-01T06:00:00Z') }, maintenance: { retention, daysAhead: 3, monthsAhead: 0 } });
      const result = await job.runOnce();
      const raw = result!.tables.find((t) => t.table === 'RenewSample')!;
      expect(raw.created).toEqual(['RenewSample_d20400101', 'RenewSample_d20400103', 'RenewSample_d20400104']);
      expect(raw.failed).toEqual([{ name: 'RenewSample_d20400102', error: expect.stringContaining('already exists') }]);
      expect(result!.tables.find((t) => t.table === 'RenewRollup')!.created).toEqual(['RenewRollup_m204001']);
      expect(lines.find((line) => line.failed)?.failed).toEqual([expect.objectContaining({ name: 'RenewSample_d20400102' })]);
      // The connection went back to the pool usable.
      expect((await maintainPartitions(db.store, { now: new Date('2040-01-01T06:00:00Z'), retention, daysAhead: 3, monthsAhead: 0 })).tables[0]!.failed).toHaveLength(1);
    } finally {
      await client.query('DROP TABLE "RenewSample_d20400102"');
    }
  });

  it('says so in the log when another replica holds the partition lock', async () => {
    const lines: Array<{ msg: string }> = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as { msg: string }) });
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1::int, $2::int)', [PARTITION_LOCK.namespace, PARTITION_LOCK.key]);
      const job = new PartitionJob({ store: db.store, log, clock: { now: () => Date.parse('2031-02-27T15:00:00Z') } });
      expect(await job.runOnce()).toMatchObject({ isSkipped: true });
      expect(lines.map((line) => line.msg)).toEqual([expect.stringContaining('skipped')]);
    } finally {
      await holder.end();
    }
  });
});

function storedLease(observedAt: number): StoredLease {
  return {
    kind: 'election',
    uid: 'u-1',
    resourceVersion: '1',
    holderIdentity: 'cp-1_a',
    leaseDurationSeconds: 15,
    acquireTime: new Date(observedAt - 60_000),
    renewTime: new Date(observedAt),
    leaseTransitions: 1,
    strategy: null,
    preferredHolder: null,
    labels: {},
    observedAt: new Date(observedAt),
    holderSince: new Date(observedAt - 60_000),
    lastCause: 'first',
    skewSuspectedMs: null,
    deletedAt: null,
  };
}

function renewalAt(ms: number): RenewalEvent {
  return { type: 'renewal', holder: 'cp-1_a', renewTime: parseMicroTime(new Date(ms).toISOString())!, observedAt: ms + 5, intervalMs: 2_000, lagMs: 5 };
}

describe('retention', () => {
  useDatabase('retention');
  // Ten days of samples of one lease; "today" is the tenth. Retention of 7 days keeps today and the six days before.
  const today = Date.parse('2033-01-20T00:00:00Z');
  const firstDay = today - 9 * DAY;
  const now = new Date(today + 12 * 3_600_000);
  const key = { cluster: 'retained', namespace: 'kube-system', name: 'kcm' };
  let leaseId: number;
  // A lease that last renewed on the second day, whose row still says the first hour.
  let idleId: number;

  beforeAll(async () => {
    const cluster = await seedCluster(db.store, key.cluster);
    leaseId = (await seedLease(db.store, cluster, { namespace: key.namespace, name: key.name })).id;
    idleId = (await seedLease(db.store, cluster, { namespace: key.namespace, name: 'idle', renewTime: new Date(firstDay + 3_600_000), observedAt: new Date(firstDay + 3_600_000) })).id;
    for (let day = firstDay; day <= today; day += DAY) {
      await maintainPartitions(db.store, { now: new Date(day), retention: { rawSamplesMs: 1000 * DAY, rollupsMs: 1000 * DAY }, daysAhead: 0, monthsAhead: 0 });
      await insertSamples(leaseId, day, Math.min(day + DAY, now.getTime() - 10 * MINUTE));
      if (day < firstDay + 2 * DAY) await insertSamples(idleId, day, day + 3_600_000);
    }
  });

  it('keeps raw days the rollups have not reached, whatever their age', async () => {
    const result = await maintainPartitions(db.store, { now, retention, daysAhead: 1, monthsAhead: 1 });
    const raw = result.tables.find((t) => t.table === 'RenewSample')!;
    expect(raw.dropped).toEqual([]);
    expect(raw.keptForRollups).toEqual(expect.arrayContaining(['RenewSample_d20330111', 'RenewSample_d20330112']));
    expect(await names()).toContain('RenewSample_d20330111');
  });

  it('drops whole days past retention while ingest writes: kept days lose nothing, nothing is deleted row by row', async () => {
    await rollUpRenewals(db.store, { now });
    const keptFrom = new Date(today - 7 * DAY);
    const keptBefore = await count('RenewSample', '"leaseId" = $1 AND "renewTime" >= $2', [leaseId, keptFrom]);
    const { rows: stats } = await client.query<{ n_tup_del: string }>(`SELECT coalesce(sum(n_tup_del), 0) AS n_tup_del FROM pg_stat_user_tables WHERE relname LIKE 'RenewSample%'`);

    // The ingest keeps writing today's renewals through writeBatch (binary COPY) while retention runs.
    const ingest = await client.query<{ id: number }>(`SELECT id FROM "Cluster" WHERE name = $1`, [key.cluster]);
    const writer = new pg.Client({ connectionString: db.url });
    await writer.connect();
    const base: IngestBatch = { cluster: key.cluster, clusterId: ingest.rows[0]!.id, leases: [], transitions: [], renewals: [], gaps: [], lastEventAt: null, lastSeenAt: now.getTime(), resourceVersion: null };
    await writeBatch(writer, { ...base, leases: [{ key, stored: storedLease(now.getTime() - 5 * MINUTE), malformed: 0 }] });
    let written = 0;
    let isRetentionDone = false;
    const ingestLoop = (async () => {
      for (let batch = 0; !isRetentionDone || batch < 20; batch++) {
        const renewals = Array.from({ length: 50 }, (_, i) => ({ key, event: renewalAt(now.getTime() - 4 * MINUTE + (batch * 50 + i) * 2) }));
        written += (await writeBatch(writer, { ...base, renewals })).renewals;
      }
    })();
    const result = await maintainPartitions(db.store, { now, retention, daysAhead: 1, monthsAhead: 1 });
    isRetentionDone = true;
    await ingestLoop;
    await writer.end();

    const raw = result.tables.find((t) => t.table === 'RenewSample')!;
    // (The partitions the migration made for the real today are past retention too at this simulated time.)
    expect(raw.dropped.filter((name) => name >= 'RenewSample_d2033')).toEqual(['RenewSample_d20330111', 'RenewSample_d20330112']);
    expect(raw).toMatchObject({ deferred: [], keptForRollups: [], deletedFromDefault: 0, droppedBefore: keptFrom });
    expect(await names()).toEqual(expect.arrayContaining(['RenewSample_d20330113', 'RenewSample_d20330120', 'RenewSample_d20330121']));
    expect(await names()).not.toContain('RenewSample_d20330112');
    expect(await count('RenewSample', '"leaseId" = $1 AND "renewTime" < $2', [leaseId, keptFrom])).toBe(0);
    expect(written).toBeGreaterThanOrEqual(1_000);
    expect(await count('RenewSample', '"leaseId" = $1 AND "renewTime" >= $2', [leaseId, keptFrom])).toBe(keptBefore + written);
    const { rows: after } = await client.query<{ n_tup_del: string }>(`SELECT coalesce(sum(n_tup_del), 0) AS n_tup_del FROM pg_stat_user_tables WHERE relname LIKE 'RenewSample%'`);
    expect(after[0]!.n_tup_del).toBe(stats[0]!.n_tup_del);
    // The rollups of the dropped days stay (400 days).
    expect(await count('RenewRollup', '"leaseId" = $1 AND bucket < $2', [leaseId, keptFrom])).toBe(2 * 1440);
    // The idle lease's last renewal, gone from the raw samples, is on its row.
    const { rows: idle } = await client.query<{ renewTime: Date; observedAt: Date }>(`SELECT "renewTime", "observedAt" FROM "Lease" WHERE id = $1`, [idleId]);
    expect(idle).toEqual([{ renewTime: new Date(firstDay + DAY + 3_600_000 - 30_000), observedAt: new Date(firstDay + DAY + 3_600_000 - 30_000 + 7) }]);
  });
});

describe('reads across the retention boundary', () => {
  useDatabase('boundary');
  const today = Date.parse('2034-04-10T00:00:00Z');
  const now = new Date(today + 6 * 3_600_000);
  const key = { cluster: 'boundary', namespace: 'kube-system', name: 'scheduler' };
  let leaseId: number;

  beforeAll(async () => {
    const cluster = await seedCluster(db.store, key.cluster);
    leaseId = (await seedLease(db.store, cluster, { namespace: key.namespace, name: key.name })).id;
    for (let day = today - 3 * DAY; day <= today; day += DAY) {
      await maintainPartitions(db.store, { now: new Date(day), retention: { rawSamplesMs: 1000 * DAY, rollupsMs: 1000 * DAY }, daysAhead: 0, monthsAhead: 0 });
      await insertSamples(leaseId, day, Math.min(day + DAY, now.getTime()), 60_000);
    }
    await rollUpRenewals(db.store, { now });
    await maintainPartitions(db.store, { now, retention: { rawSamplesMs: DAY, rollupsMs: 400 * DAY }, daysAhead: 0, monthsAhead: 0 });
  });

  it('answers a range reaching before the dropped days from the rollups, with every sample counted, and says where raw data begins', async () => {
    expect(await count('RenewSample', '"leaseId" = $1 AND "renewTime" < $2', [leaseId, new Date(today - DAY)])).toBe(0);
    // 12:00 two days ago → 03:00 today: 12 h of a dropped day, 24 h kept, 3 h of today; one sample a minute.
    const range = { from: new Date(today - 2 * DAY + 12 * 3_600_000), to: new Date(today + 3 * 3_600_000) };
    const series = await listRenewals(db.store, { key, range });
    expect(series.rawFrom).toEqual(new Date(today - DAY));
    expect(series.stats.count).toBe((12 + 24 + 3) * 60);
    expect(series.isDownsampled).toBe(true);
    expect(series.samples[0]!.renewTime).toEqual(range.from);
    expect(series.stats.intervalMs.max).toBe(60_000);
  });

  it('answers a range inside the kept days from raw samples, unflagged', async () => {
    const range = { from: new Date(today - 12 * 3_600_000), to: new Date(today - 11 * 3_600_000) };
    const series = await listRenewals(db.store, { key, range });
    expect(series).toMatchObject({ rawFrom: null, isDownsampled: false, stats: { count: 60, percentileRelativeError: null } });
  });
});

describe('late samples', () => {
  useDatabase('late');

  it('reach the rollups however late they are stored', async () => {
    const cluster = await seedCluster(db.store, 'late');
    const lease = await seedLease(db.store, cluster, { namespace: 'kube-system', name: 'late' });
    const now = Date.now();
    const start = Math.floor((now - 3 * 3_600_000) / MINUTE) * MINUTE;
    await client.query(`ALTER TABLE "RenewSample" DISABLE TRIGGER "RenewSample_queue_late"`);
    try {
      await insertSamples(lease.id, start, start + 3_600_000);
    } finally {
      await client.query(`ALTER TABLE "RenewSample" ENABLE TRIGGER "RenewSample_queue_late"`);
    }
    await rollUpRenewals(db.store, { now: new Date(now) });
    const minute = start + 30 * MINUTE;
    const rollup = () => client.query<{ sampleCount: number; intervalMaxMs: number }>(`SELECT "sampleCount", "intervalMaxMs" FROM "RenewRollup" WHERE "leaseId" = $1 AND bucket = $2`, [lease.id, new Date(minute)]);
    expect((await rollup()).rows).toEqual([{ sampleCount: 2, intervalMaxMs: 30_000 }]);

    // Stored two and a half hours after its minute: far outside the window the job aggregates again.
    await client.query(`INSERT INTO "RenewSample" ("leaseId", "renewTime", "intervalMs", "lagMs") VALUES ($1, $2, 95000, 9000000)`, [lease.id, new Date(minute + 15_000)]);
    expect(await count('RenewRollupPending', '"leaseId" = $1', [lease.id])).toBe(1);
    const result = await rollUpRenewals(db.store, { now: new Date(now) });
    expect(result.lateRowsWritten).toBe(1);
    expect((await rollup()).rows).toEqual([{ sampleCount: 3, intervalMaxMs: 95_000 }]);
    expect(await count('RenewRollupPending', '"leaseId" = $1', [lease.id])).toBe(0);

  });
});

describe('the late-sample trigger', () => {
  useDatabase('late-trigger');

  it('queues exactly the samples later than the rollup job re-reads (LATE_SAMPLE_MS)', async () => {
    const { rows } = await client.query<{ late: string }>(
      `SELECT extract(epoch FROM substring(pg_get_triggerdef(oid) FROM 'now\\(\\) - ''([^'']+)''::interval')::interval) * 1000 AS late
         FROM pg_trigger WHERE tgname = 'RenewSample_queue_late' AND tgrelid = '"RenewSample"'::regclass`,
    );
    expect(rows.map((row) => Number(row.late))).toEqual([LATE_SAMPLE_MS]);
  });
});

describe('late samples and retention', () => {
  useDatabase('late-retention');
  // Real past dates: the queueing trigger compares renewTime with the database's clock.
  const today = Date.UTC(2026, 0, 20);
  const firstDay = today - 9 * DAY;
  const now = new Date(today + 12 * 3_600_000);
  const minute = firstDay + 6 * 3_600_000;
  let leaseId: number;
  const rollup = async () =>
    (await client.query<{ sampleCount: number; intervalMaxMs: number; counted: number }>(
      `SELECT "sampleCount", "intervalMaxMs", (SELECT sum(e & 65535)::int FROM unnest("intervalHist") e) AS counted FROM "RenewRollup" WHERE "leaseId" = $1 AND bucket = $2`,
      [leaseId, new Date(minute)],
    )).rows;

  beforeAll(async () => {
    const cluster = await seedCluster(db.store, 'late-retention');
    leaseId = (await seedLease(db.store, cluster, { namespace: 'kube-system', name: 'late' })).id;
    await client.query(`ALTER TABLE "RenewSample" DISABLE TRIGGER "RenewSample_queue_late"`);
    try {
      for (let day = firstDay; day <= today; day += DAY) {
        await maintainPartitions(db.store, { now: new Date(day), retention: { rawSamplesMs: 1000 * DAY, rollupsMs: 1000 * DAY }, daysAhead: 0, monthsAhead: 0 });
        await insertSamples(leaseId, day, Math.min(day + DAY, now.getTime() - 10 * MINUTE), 600_000);
      }
    } finally {
      await client.query(`ALTER TABLE "RenewSample" ENABLE TRIGGER "RenewSample_queue_late"`);
    }
    await rollUpRenewals(db.store, { now });
  });

  it('keeps a raw day while one of its minutes is queued, and records the horizon before dropping anything', async () => {
    expect(await rollup()).toEqual([{ sampleCount: 1, intervalMaxMs: 600_000, counted: 1 }]);
    await client.query(`INSERT INTO "RenewSample" ("leaseId", "renewTime", "intervalMs", "lagMs") VALUES ($1, $2, 900000, 9000000)`, [leaseId, new Date(minute + 30_000)]);
    expect(await count('RenewRollupPending', '"leaseId" = $1', [leaseId])).toBe(1);

    const held = await maintainPartitions(db.store, { now, retention, daysAhead: 0, monthsAhead: 0 });
    const raw = held.tables.find((t) => t.table === 'RenewSample')!;
    expect(raw.dropped.filter((name) => name >= 'RenewSample_d20260111')).toEqual([]);
    expect(raw.keptForRollups).toEqual(expect.arrayContaining(['RenewSample_d20260111', 'RenewSample_d20260112']));
    expect(await names()).toContain('RenewSample_d20260111');

    expect((await rollUpRenewals(db.store, { now })).lateRowsWritten).toBe(1);
    expect(await rollup()).toEqual([{ sampleCount: 2, intervalMaxMs: 900_000, counted: 2 }]);

    // A reader holds the oldest day while retention drops it: the horizon is already recorded meanwhile.
    const reader = new pg.Client({ connectionString: db.url });
    await reader.connect();
    try {
      await reader.query('BEGIN');
      await reader.query('LOCK TABLE "RenewSample_d20260111" IN ACCESS SHARE MODE');
      const dropping = maintainPartitions(db.store, { now, retention, daysAhead: 0, monthsAhead: 0, lockTimeoutMs: 120_000 });
      for (;;) {
        const { rows } = await client.query(`SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'DROP TABLE%'`);
        if (rows.length > 0) break;
      }
      const { rows: horizon } = await client.query<{ at: Date }>(`SELECT "droppedBefore" AS at FROM "RetentionHorizon" WHERE "table" = 'RenewSample'`);
      expect(horizon).toEqual([{ at: new Date(today - 7 * DAY) }]);
      await reader.query('COMMIT');
      const dropped = (await dropping).tables.find((t) => t.table === 'RenewSample')!;
      expect(dropped.dropped.filter((name) => name >= 'RenewSample_d20260111')).toEqual(['RenewSample_d20260111', 'RenewSample_d20260112']);
    } finally {
      await reader.end();
    }
  });

  it('adds a sample arriving after its day was dropped to its minute, once, instead of discarding it', async () => {
    await client.query(`INSERT INTO "RenewSample" ("leaseId", "renewTime", "intervalMs", "lagMs") VALUES ($1, $2, 1000, 9000000)`, [leaseId, new Date(minute + 40_000)]);
    expect(await count('RenewSample_default', '"leaseId" = $1', [leaseId])).toBe(1);
    // Maintenance neither deletes the queued straggler nor brings its dropped day back.
    const result = await maintainPartitions(db.store, { now, retention, daysAhead: 0, monthsAhead: 0 });
    expect(result.tables.find((t) => t.table === 'RenewSample')!.created).toEqual([]);
    expect(await count('RenewSample_default', '"leaseId" = $1', [leaseId])).toBe(1);

    expect((await rollUpRenewals(db.store, { now })).lateRowsWritten).toBe(1);
    expect(await rollup()).toEqual([{ sampleCount: 3, intervalMaxMs: 900_000, counted: 3 }]);
    expect(await count('RenewRollupPending', '"leaseId" = $1', [leaseId])).toBe(0);
    expect(await count('RenewSample_default', '"leaseId" = $1', [leaseId])).toBe(0);
    // Nothing is added twice.
    expect((await rollUpRenewals(db.store, { now })).lateRowsWritten).toBe(0);
    expect(await rollup()).toEqual([{ sampleCount: 3, intervalMaxMs: 900_000, counted: 3 }]);
  });
});

describe('the migration to partitioned tables', () => {
  it('keeps the rows of a database that already had samples and rollups', async () => {
    const files = await listMigrationFiles();
    const index = files.findIndex((file) => file.name === '20261207040000_partitioned_renew_samples');
    expect(index).toBeGreaterThan(0);
    const before = await mkdtemp(path.join(os.tmpdir(), 'leasetrail-migrations-'));
    const upgraded = await createEmptyDatabase('upgrade');
    const other = new pg.Client({ connectionString: upgraded.url });
    try {
      for (const file of files.slice(0, index)) await cp(path.join(defaultMigrationsDir, file.name), path.join(before, file.name), { recursive: true });
      await migrate(upgraded.url, { dir: before });
      await other.connect();
      const { rows } = await other.query<{ id: number }>(`INSERT INTO "Cluster" (name, source, "updatedAt") VALUES ('old', 'simulated', now()) RETURNING id`);
      const { rows: leases } = await other.query<{ id: number }>(
        `INSERT INTO "Lease" ("clusterId", namespace, name, kind, "observedAt", "updatedAt") VALUES ($1, 'ns', 'a', 'election', now(), now()) RETURNING id`,
        [rows[0]!.id],
      );
      const leaseId = leases[0]!.id;
      // Three days ago through now, one sample a minute; one sample from three years ago.
      await other.query(
        `INSERT INTO "RenewSample" ("leaseId", "renewTime", "observedAt", "intervalMs", "lagMs")
         SELECT $1::int, t, t + interval '12 ms', 60000, 12 FROM generate_series(now() - interval '3 days', now(), interval '1 minute') AS t
         UNION ALL SELECT $1::int, now() - interval '3 years', now() - interval '3 years', NULL, NULL`,
        [leaseId],
      );
      await other.query(
        `INSERT INTO "RenewRollup" (bucket, "worstRenewTime", "worstObservedAt", "leaseId", "sampleCount", "intervalMaxMs", "lagMaxMs", "worstLagMs", "intervalHist", "lagHist")
         SELECT date_trunc('minute', t), t, t, $1::int, 1, 60000, 12, 12, '{1}', '{2}' FROM generate_series(now() - interval '3 days', now() - interval '1 day', interval '1 minute') AS t`,
        [leaseId],
      );
      const samplesBefore = await other.query(`SELECT "leaseId", "renewTime", "intervalMs", "lagMs" FROM "RenewSample" ORDER BY "renewTime"`);
      const rollupsBefore = await other.query(`SELECT bucket, "worstRenewTime", "sampleCount", "intervalHist" FROM "RenewRollup" ORDER BY bucket`);

      expect((await migrate(upgraded.url)).applied).toContain('20261207040000_partitioned_renew_samples');
      expect((await other.query(`SELECT "leaseId", "renewTime", "intervalMs", "lagMs" FROM "RenewSample" ORDER BY "renewTime"`)).rows).toEqual(samplesBefore.rows);
      expect((await other.query(`SELECT bucket, "worstRenewTime", "sampleCount", "intervalHist" FROM "RenewRollup" ORDER BY bucket`)).rows).toEqual(rollupsBefore.rows);
      expect(samplesBefore.rows.length).toBe(3 * 1440 + 2);
      // Every day with samples got its partition; only the sample older than 400 days waits in DEFAULT.
      const { rows: perPartition } = await other.query<{ name: string; n: string }>(
        `SELECT tableoid::regclass::text AS name, count(*) AS n FROM "RenewSample" GROUP BY 1 ORDER BY 1`,
      );
      expect(perPartition.find((p) => p.name === '"RenewSample_default"')?.n).toBe('1');
      expect(perPartition.filter((p) => /^"RenewSample_d\d{8}"$/.test(p.name)).length).toBeGreaterThanOrEqual(4);
      expect((await listPartitions(other, renewRollupPartitions)).length).toBeGreaterThanOrEqual(3);
    } finally {
      await other.end().catch(() => undefined);
      await upgraded.drop();
      await rm(before, { recursive: true, force: true });
    }
  });
});

describe('the migration to partitioned node heartbeat rollups', () => {
  it('keeps their rows, in monthly partitions, and fills the 10-minute tier from RenewRollup', async () => {
    const files = await listMigrationFiles();
    const index = files.findIndex((file) => file.name === '20261207090000_node_heartbeat_rollup_partitions');
    expect(index).toBeGreaterThan(0);
    const before = await mkdtemp(path.join(os.tmpdir(), 'leasetrail-migrations-'));
    const upgraded = await createEmptyDatabase('upgrade-nodes');
    const other = new pg.Client({ connectionString: upgraded.url });
    try {
      for (const file of files.slice(0, index)) await cp(path.join(defaultMigrationsDir, file.name), path.join(before, file.name), { recursive: true });
      await migrate(upgraded.url, { dir: before });
      await other.connect();
      const { rows } = await other.query<{ id: number }>(`INSERT INTO "Cluster" (name, source, "updatedAt") VALUES ('old', 'simulated', now()) RETURNING id`);
      const { rows: leases } = await other.query<{ id: number }>(
        `INSERT INTO "Lease" ("clusterId", namespace, name, kind, "observedAt", "updatedAt")
         SELECT $1, 'kube-node-lease', 'node-' || n, 'node_heartbeat', now(), now() FROM generate_series(1, 3) AS n RETURNING id`,
        [rows[0]!.id],
      );
      // Two hours of minute rollups per node, ending a day ago; the node tables as the previous migration filled them.
      await other.query(
        `INSERT INTO "RenewRollup" (bucket, "worstRenewTime", "leaseId", "sampleCount", "intervalMaxMs", "lagMaxMs", "worstLagMs", "intervalHist", "lagHist")
         SELECT b, b + (l * 1000) * interval '1 millisecond', l, 6, 10000 + (extract(minute FROM b)::int * 97 + l) % 5000, 50, 40, ARRAY[((1 + floor(ln(10000) / ln(1.01 / 0.99))::int + 2048) << 16) | 6], '{}'
           FROM unnest($1::int[]) AS l CROSS JOIN generate_series(date_trunc('hour', now() - interval '1 day') - interval '2 hours', date_trunc('hour', now() - interval '1 day') - interval '1 minute', interval '1 minute') AS b`,
        [leases.map((lease) => lease.id)],
      );
      for (const statement of rebuildNodeHeartbeatRollupsSql.filter((sql) => !sql.includes('NodeHeartbeatTenMinute'))) await other.query(statement);
      const minutesBefore = await other.query(`SELECT * FROM "NodeHeartbeatMinute" ORDER BY "clusterId", bucket`);
      const hoursBefore = await other.query(`SELECT * FROM "NodeHeartbeatHour" ORDER BY "leaseId", bucket`);
      expect(minutesBefore.rows).toHaveLength(120);
      expect(hoursBefore.rows).toHaveLength(6);

      expect((await migrate(upgraded.url)).applied).toContain('20261207090000_node_heartbeat_rollup_partitions');
      expect((await other.query(`SELECT * FROM "NodeHeartbeatMinute" ORDER BY "clusterId", bucket`)).rows).toEqual(minutesBefore.rows);
      expect((await other.query(`SELECT * FROM "NodeHeartbeatHour" ORDER BY "leaseId", bucket`)).rows).toEqual(hoursBefore.rows);
      for (const spec of nodeHeartbeatPartitions) {
        expect((await listPartitions(other, spec)).length).toBeGreaterThanOrEqual(3);
        expect(Number((await other.query<{ n: string }>(`SELECT count(*) AS n FROM "${spec.table}_default"`)).rows[0]!.n)).toBe(0);
      }
      // The 10-minute tier holds what the rollup job's rebuild computes from RenewRollup.
      const blocks = await other.query(`SELECT * FROM "NodeHeartbeatTenMinute" ORDER BY "leaseId", bucket`);
      expect(blocks.rows).toHaveLength(3 * 12);
      for (const statement of rebuildNodeHeartbeatRollupsSql) await other.query(statement);
      expect((await other.query(`SELECT * FROM "NodeHeartbeatTenMinute" ORDER BY "leaseId", bucket`)).rows).toEqual(blocks.rows);
    } finally {
      await other.end().catch(() => undefined);
      await upgraded.drop();
      await rm(before, { recursive: true, force: true });
    }
  });
});
