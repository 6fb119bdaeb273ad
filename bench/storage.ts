import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { loggerFor } from '../lib/log';
import { closeStore, createStore, type Store } from '../lib/store/client';
import { startEmbeddedPostgres } from '../lib/store/embedded-postgres';
import { migrate } from '../lib/store/migrate';
import { defaultRetention, maintainPartitions, partitionName, renewSamplePartitions, type MaintenanceResult } from '../lib/store/partitions';
import { saveProgress } from '../lib/store/rollup-progress';
import { rollUpRenewals } from '../lib/store/rollups';
import { median } from './machine';
import { sizeOf } from './queries';

const DAY_MS = 86_400_000;
const HEARTBEAT_US = 10_000_000;
// The fleet: 5,000 nodes renewing every 10 s, 43.2 M samples a day.
const FLEET_NODES = 5_000;
const GROWTH_DAYS = [1, 7, 30];

export type GrowthRow = {
  day: number;
  samplesStored: number;
  samplesKeptRaw: number;
  rawMiB: number;
  rollupMiB: number;
  totalMiB: number;
  bytesPerKeptSample: number;
  // The same day for a 5,000-node fleet: every figure here grows linearly with the number of leases.
  fleetTotalGiB: number;
};

export type DropFigure = { rows: number; partitionMiB: number; dropMs: number; ingestMaxBatchMs: number; ingestBatchesDuringDrop: number; deadTuplesAfter: number; rowsDeleted: number };

export type StorageGrowthResult = {
  figure: 'storage-growth';
  leases: number;
  samplesPerDay: number;
  retention: { rawDays: number; rollupDays: number };
  growth: GrowthRow[];
  dailyDrops: { count: number; medianMs: number; maxMs: number; rowsPerPartition: number };
  bigDrop: DropFigure;
  target: { dropMs: number };
  met: boolean;
  conditions: string;
};

const mib = (bytes: number) => Math.round((bytes / 1024 ** 2) * 10) / 10;

// One day of node heartbeats, every 10 s with up to 262 ms of jitter, lag 2–40 ms, hour by hour so the
// heap is in time order as the ingest leaves it.
async function insertDay(client: pg.Client, leaseIds: number[], dayStart: number): Promise<number> {
  let rows = 0;
  for (let hour = 0; hour < 24; hour++) {
    const from = dayStart + hour * 3_600_000;
    const result = await client.query(
      `INSERT INTO "RenewSample" ("leaseId", "renewTime", "intervalMs", "lagMs")
       SELECT l, $2::timestamptz + (s::bigint * ${HEARTBEAT_US} + (hashint8(l::bigint * 100000 + s) & 262143)) * interval '1 microsecond', 10000 + (hashint4(l + s) & 255), 2 + (hashint4(l * 7 + s) & 31)
         FROM generate_series(0, 359) AS s, unnest($1::int[]) AS l
        ORDER BY s, l`,
      [leaseIds, new Date(from)],
    );
    rows += result.rowCount ?? 0;
  }
  return rows;
}

async function sizes(client: pg.Client): Promise<{ raw: number; rollup: number; kept: number }> {
  const raw = await sizeOf(client, 'RenewSample');
  const rollup = await sizeOf(client, 'RenewRollup');
  const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM "RenewSample"`);
  return { raw: raw.totalBytes, rollup: rollup.totalBytes, kept: Number(rows[0]!.n) };
}

// A partition of `rows` samples, the only one past retention, dropped by the partition job while a
// writer keeps inserting into today's partition.
async function measureBigDrop(store: Store, url: string, client: pg.Client, leaseIds: number[], rows: number, firstDay: number): Promise<DropFigure> {
  const day = firstDay + 40 * DAY_MS;
  const today = day + 8 * DAY_MS;
  const keepAll = { rawSamplesMs: 1_000 * DAY_MS, rollupsMs: 1_000 * DAY_MS };
  // Drops what the growth run left and creates the big day's partition; then today's.
  await saveProgress(store.pool, 'renewals', new Date(day));
  await maintainPartitions(store, { now: new Date(day + 60_000), retention: defaultRetention, daysAhead: 0, monthsAhead: 0 });
  await maintainPartitions(store, { now: new Date(today), retention: keepAll, daysAhead: 1, monthsAhead: 0 });
  const name = partitionName(renewSamplePartitions, day);
  const perLease = Math.ceil(rows / leaseIds.length);
  const stepUs = Math.floor((DAY_MS * 1000) / perLease);
  for (let done = 0; done < perLease; done += 10_000) {
    await client.query(
      `INSERT INTO "${name}" ("leaseId", "renewTime", "intervalMs", "lagMs")
       SELECT l, $2::timestamptz + s * $3::bigint * interval '1 microsecond', 10000, 5 FROM generate_series($4::int, $5::int) AS s, unnest($1::int[]) AS l ORDER BY s, l`,
      [leaseIds, new Date(day), stepUs, done, Math.min(perLease, done + 10_000) - 1],
    );
  }
  await client.query(`VACUUM (ANALYZE) "${name}"`);
  const { rows: info } = await client.query<{ n: string; bytes: string }>(`SELECT (SELECT count(*) FROM "${name}") AS n, pg_total_relation_size('"${name}"') AS bytes`);
  const deletedBefore = await deletedRows(client);

  // The writer: 500 samples per statement into today's partition, as fast as it can, timed per batch.
  const writer = new pg.Client({ connectionString: url });
  await writer.connect();
  const batchMs: number[] = [];
  let isDropping = true;
  // The writer stops whatever happens to the drop: a failed maintenance run must not leave it inserting forever.
  const writing = (async () => {
    for (let batch = 0; isDropping; batch++) {
      const started = performance.now();
      await writer.query(
        `INSERT INTO "RenewSample" ("leaseId", "renewTime", "intervalMs", "lagMs")
         SELECT l, $2::timestamptz + s * interval '1 millisecond', 10000, 5 FROM generate_series(0, 4) AS s, unnest($1::int[]) AS l ON CONFLICT DO NOTHING`,
        [leaseIds.slice(0, 100), new Date(today + 3_600_000 + batch * 10)],
      );
      batchMs.push(performance.now() - started);
    }
  })();
  // Awaited in the finally below; until then a failed insert must not count as unhandled.
  writing.catch(() => undefined);
  let result: MaintenanceResult;
  let dropMs: number;
  try {
    await new Promise((resolve) => setTimeout(resolve, 200));
    await saveProgress(store.pool, 'renewals', new Date(today));
    const started = performance.now();
    result = await maintainPartitions(store, { now: new Date(today + 3_600_000), retention: defaultRetention, daysAhead: 1, monthsAhead: 0 });
    dropMs = performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 200));
  } finally {
    isDropping = false;
    await writing;
    await writer.end();
  }
  // Empty partitions made ahead by the growth run may go in the same run; the big day must be among the drops.
  const dropped = result.tables.find((table) => table.table === 'RenewSample')?.dropped ?? [];
  if (!dropped.includes(name)) throw new Error(`expected to drop ${name}: ${JSON.stringify(result.tables[0])}`);
  // Statistics of other sessions reach pg_stat within PostgreSQL's 10 s idle flush interval.
  await new Promise((resolve) => setTimeout(resolve, 11_000));
  const { rows: dead } = await client.query<{ n: string }>(`SELECT coalesce(sum(n_dead_tup), 0) AS n FROM pg_stat_user_tables WHERE relname LIKE 'RenewSample%'`);
  return {
    rows: Number(info[0]!.n),
    partitionMiB: mib(Number(info[0]!.bytes)),
    dropMs: Math.round(dropMs),
    ingestMaxBatchMs: Math.round(Math.max(...batchMs)),
    ingestBatchesDuringDrop: batchMs.length,
    deadTuplesAfter: Number(dead[0]!.n),
    rowsDeleted: (await deletedRows(client)) - deletedBefore,
  };
}

async function deletedRows(client: pg.Client): Promise<number> {
  await client.query('SELECT pg_stat_force_next_flush()');
  const { rows } = await client.query<{ n: string }>(`SELECT coalesce(sum(n_tup_del), 0) AS n FROM pg_stat_user_tables WHERE relname LIKE 'RenewSample%'`);
  return Number(rows[0]!.n);
}

// A bar per simulated day: raw samples and rollups stacked, in MiB for the measured fleet.
function growthChart(result: StorageGrowthResult): string {
  const width = 640;
  const height = 320;
  const left = 70;
  const bottom = 260;
  const max = Math.max(...result.growth.map((row) => row.totalMiB)) * 1.15;
  const barWidth = 120;
  const scale = (value: number) => (value / max) * (bottom - 40);
  const bars = result.growth
    .map((row, i) => {
      const x = left + 40 + i * (barWidth + 60);
      const raw = scale(row.rawMiB);
      const rollup = scale(row.rollupMiB);
      return [
        `<rect x="${x}" y="${bottom - raw}" width="${barWidth}" height="${raw}" fill="#2563eb"/>`,
        `<rect x="${x}" y="${bottom - raw - rollup}" width="${barWidth}" height="${rollup}" fill="#f59e0b"/>`,
        `<text x="${x + barWidth / 2}" y="${bottom - raw - rollup - 8}" text-anchor="middle" font-size="12">${row.totalMiB} MiB (${row.fleetTotalGiB} GiB at 5,000 nodes)</text>`,
        `<text x="${x + barWidth / 2}" y="${bottom + 18}" text-anchor="middle" font-size="12">day ${row.day}</text>`,
      ].join('');
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="${width / 2}" y="20" text-anchor="middle" font-size="14">Renew-sample storage, ${result.leases} node leases (raw ${result.retention.rawDays} d, rollups ${result.retention.rollupDays} d)</text>
<line x1="${left}" y1="${bottom}" x2="${width - 20}" y2="${bottom}" stroke="black"/>
${bars}
<rect x="${left}" y="${height - 30}" width="12" height="12" fill="#2563eb"/><text x="${left + 18}" y="${height - 20}" font-size="12">raw samples (heap + indexes)</text>
<rect x="${left + 230}" y="${height - 30}" width="12" height="12" fill="#f59e0b"/><text x="${left + 248}" y="${height - 20}" font-size="12">per-minute rollups</text>
</svg>
`;
}

// Storage after 1, 7 and 30 simulated days of a heartbeat fleet run through the real partition job and
// rollup job day by day (default retention: raw 7 d, rollups 400 d), the daily partition drops, and
// one drop of a partition of BENCH_DROP_ROWS samples while a writer keeps inserting.
export async function benchStorageGrowth(): Promise<StorageGrowthResult> {
  const leases = Number(process.env.BENCH_STORAGE_LEASES ?? 100);
  const dropRows = Number(process.env.BENCH_DROP_ROWS ?? 10_000_000);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'leasetrail-bench-storage-'));
  const database = await startEmbeddedPostgres({ dataDir, log: loggerFor('bench-postgres') });
  const client = new pg.Client({ connectionString: database.url });
  let store: Store | undefined;
  try {
    await migrate(database.url);
    store = createStore(database.url, { max: 3 });
    await client.connect();
    const { rows: cluster } = await client.query<{ id: number }>(`INSERT INTO "Cluster" (name, source, "updatedAt") VALUES ('growth', 'simulated', now()) RETURNING id`);
    const { rows: leaseRows } = await client.query<{ id: number }>(
      `INSERT INTO "Lease" ("clusterId", namespace, name, kind, "observedAt", "updatedAt")
       SELECT $1, 'kube-node-lease', 'node-' || n, 'node_heartbeat', now(), now() FROM generate_series(1, $2::int) AS n RETURNING id`,
      [cluster[0]!.id, leases],
    );
    const leaseIds = leaseRows.map((row) => row.id);
    await client.query(`ALTER TABLE "RenewSample" DISABLE TRIGGER "RenewSample_queue_late"`);
    // Simulated days in the past: their samples are not late, so the trigger that queues late minutes stays off while they go in.
    const firstDay = Math.floor(Date.now() / DAY_MS) * DAY_MS - 400 * DAY_MS;
    const growth: GrowthRow[] = [];
    const dropMs: number[] = [];
    let stored = 0;
    let samplesPerDay = 0;
    for (let day = 0; day < Math.max(...GROWTH_DAYS); day++) {
      const dayStart = firstDay + day * DAY_MS;
      const started = performance.now();
      const maintained = await maintainPartitions(store, { now: new Date(dayStart + 60_000), retention: defaultRetention, daysAhead: 1, monthsAhead: 1 });
      if ((maintained.tables[0]?.dropped.length ?? 0) > 0) dropMs.push(performance.now() - started);
      samplesPerDay = await insertDay(client, leaseIds, dayStart);
      stored += samplesPerDay;
      await rollUpRenewals(store, { now: new Date(dayStart + DAY_MS + 3 * 60_000) });
      if (GROWTH_DAYS.includes(day + 1)) {
        await client.query('VACUUM (ANALYZE)');
        const size = await sizes(client);
        const total = size.raw + size.rollup;
        growth.push({
          day: day + 1,
          samplesStored: stored,
          samplesKeptRaw: size.kept,
          rawMiB: mib(size.raw),
          rollupMiB: mib(size.rollup),
          totalMiB: mib(total),
          bytesPerKeptSample: Math.round((total / size.kept) * 10) / 10,
          fleetTotalGiB: Math.round(((total * FLEET_NODES) / leases / 1024 ** 3) * 10) / 10,
        });
        process.stdout.write(`  day ${day + 1}: ${JSON.stringify(growth.at(-1))}\n`);
      }
    }
    const bigDrop = await measureBigDrop(store, database.url, client, leaseIds, dropRows, firstDay);
    const result: StorageGrowthResult = {
      figure: 'storage-growth',
      leases,
      samplesPerDay,
      retention: { rawDays: defaultRetention.rawSamplesMs / DAY_MS, rollupDays: defaultRetention.rollupsMs / DAY_MS },
      growth,
      dailyDrops: { count: dropMs.length, medianMs: Math.round(median(dropMs)), maxMs: Math.round(Math.max(...dropMs)), rowsPerPartition: samplesPerDay },
      bigDrop,
      target: { dropMs: 1_000 },
      met: bigDrop.dropMs <= 1_000 && bigDrop.rowsDeleted === 0,
      conditions:
        `${leases} node leases renewing every 10 s (${samplesPerDay.toLocaleString('en')} samples a day), ${Math.max(...GROWTH_DAYS)} simulated days, each: the partition job ` +
        `(default retention, raw 7 d, rollups 400 d), the day's samples inserted hour by hour in time order, the rollup job; sizes are pg_total_relation_size of ` +
        `every partition of RenewSample and RenewRollup after VACUUM ANALYZE; fleetTotalGiB scales the total linearly to ${FLEET_NODES.toLocaleString('en')} nodes. ` +
        `Drops: the partition job's run that drops the oldest day (daily), and once a partition of ${dropRows.toLocaleString('en')} samples while another ` +
        `session inserts 500-sample batches into today's partition (its slowest batch is reported); rowsDeleted is pg_stat n_tup_del over RenewSample's partitions`,
    };
    await writeFile(path.join('bench', 'storage-growth.json'), `${JSON.stringify(result, null, 2)}\n`);
    await writeFile(path.join('bench', 'storage-growth.svg'), growthChart(result));
    return result;
  } finally {
    await client.end().catch(() => undefined);
    if (store) await closeStore(store);
    await database.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
