import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { loggerFor } from '../lib/log';
import { closeStore, createStore } from '../lib/store/client';
import { startEmbeddedPostgres } from '../lib/store/embedded-postgres';
import { migrate } from '../lib/store/migrate';
import { loadHeartbeatFacts, loadHeartbeatGapHistory } from '../lib/store/alert-facts';
import { defaultNodeHeartbeatOptions, getGapSeries, getNodeHeartbeats } from '../lib/store/node-heartbeats';
import { rebuildNodeHeartbeatRollupsSql } from '../lib/store/node-heartbeat-rollups';
import { maintainPartitions } from '../lib/store/partitions';
import { ENTRY_INDEX_OFFSET, PERCENTILE_RELATIVE_ERROR } from '../lib/store/renew-histogram';
import { median } from './machine';

// The Nodes view at 5,000 nodes in one cluster: what one page load costs (the API's whole answer: per-node
// p50/p99/worst, bursts, the cluster's renew gap over time, and a selected node's), read from per-minute
// rollups seeded for BENCH_NODES_HOURS hours plus the hour before (default 6 + 1: 2.1 M rollup rows), ending on
// the hour, and the node heartbeat rollups built from them. Every half hour 70 % of the nodes miss renewals
// together (a 28–32 s gap), the rest of the time they renew every ~10 s. Each window is read on the hour and
// off it, in the worst case for the rollup tiers: starting one minute past an hour, so it holds the fewest whole
// hours and 10-minute blocks and the most edge minutes (9 at the start, 1 at the end).

const NODES = 5_000;
const RUNS = 7;

export type NodesResult = {
  figure: 'nodes';
  nodes: number;
  seededHours: number;
  rollupRows: number;
  seedMs: number;
  // seriesMs: the cluster's renew gap over time alone (part of pageMs, whose queries run side by side).
  windows: Array<{ hours: number; isOnTheHour: boolean; from: string; to: string; pageMs: { median: number; max: number }; withNodeMs: { median: number; max: number }; seriesMs: { median: number; max: number }; answerBytes: number; seriesPoints: number; bursts: number }>;
  // heartbeat_gap alert facts over raw renew samples of the last RAW_MINUTES (every node every ~10 s, the same
  // bursts): the engine's read per window (every tick) and the preview's read of an hour.
  alerts: { rawSamples: number; seedMs: number; engine: Array<{ windowSeconds: number; ms: { median: number; max: number }; nodes: number; gaps: number }>; preview: { ms: { median: number; max: number }; nodes: number; periods: number } };
  loadAverage: { before: number; after: number };
};

const RAW_MINUTES = 65;

// Raw renew samples of every node for the last RAW_MINUTES before `anchor`: one every 10 s (offset per node);
// in a burst minute (every half hour) 70 % of the nodes miss two renewals, so the third comes 30 s after the last.
export async function seedRaw(databaseUrl: string, anchor: Date): Promise<{ rows: number; seedMs: number }> {
  const started = performance.now();
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    // Not late samples for the rollup job (the queueing trigger would fire for each): the seed writes history.
    await client.query(`SET session_replication_role = replica`);
    const { rowCount } = await client.query(
      `INSERT INTO "RenewSample" ("leaseId", "renewTime", "intervalMs", "lagMs")
       SELECT l.id, t, CASE WHEN k = 0 THEN NULL WHEN burst AND k % 6 = 3 THEN 30000 ELSE 10000 END, 40 + l.id % 50
         FROM "Lease" l
        CROSS JOIN generate_series(0, $2::int * 6 - 1) AS k
        CROSS JOIN LATERAL (SELECT $1::timestamptz - make_interval(mins => $2::int) + make_interval(secs => k * 10 + (l.id * 7919 % 10000) / 1000.0) AS t) AS at
        CROSS JOIN LATERAL (SELECT extract(minute FROM at.t)::int % 30 = 0 AND l.id % 10 < 7 AS burst) AS m
        WHERE l.kind = 'node_heartbeat' AND NOT (burst AND k % 6 IN (1, 2))`,
      [anchor, RAW_MINUTES],
    );
    await client.query('VACUUM ANALYZE "RenewSample"');
    return { rows: rowCount ?? 0, seedMs: Math.round(performance.now() - started) };
  } finally {
    await client.end();
  }
}

const lnGamma = Math.log((1 + PERCENTILE_RELATIVE_ERROR) / (1 - PERCENTILE_RELATIVE_ERROR));
const entry = (ms: number, count: number) => ((1 + Math.floor(Math.log(ms) / lnGamma) + ENTRY_INDEX_OFFSET) << 16) | count;

export async function seed(databaseUrl: string, hours: number, anchor: Date): Promise<{ rows: number; seedMs: number }> {
  const started = performance.now();
  const spanStart = new Date(anchor.getTime() - hours * 3_600_000);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows: clusters } = await client.query<{ id: number }>(
      `INSERT INTO "Cluster" (name, source, state, "updatedAt", "lastSeenAt", "lastEventAt", "connectedAt")
       VALUES ('prod-eu', 'kubeconfig'::"ClusterSource", 'connected'::"ClusterState", $1, $1, $1, $2) RETURNING id`,
      [anchor, spanStart],
    );
    await client.query(
      `INSERT INTO "Lease" ("clusterId", namespace, name, kind, "holderIdentity", "leaseDurationSeconds", "observedAt", "createdAt", "updatedAt", "renewTime")
       SELECT $1, 'kube-node-lease', 'prod-eu-node-' || lpad(n::text, 5, '0'), 'node_heartbeat'::"LeaseKind", 'prod-eu-node-' || lpad(n::text, 5, '0'), 40, $2, $3, $2, $2
         FROM generate_series(1, $4::int) AS n`,
      [clusters[0]!.id, anchor, spanStart, NODES],
    );
    const store = createStore(databaseUrl, { max: 2 });
    try {
      await maintainPartitions(store, { now: anchor, createFrom: spanStart, retention: { rawSamplesMs: hours * 7_200_000, rollupsMs: hours * 7_200_000 } });
    } finally {
      await closeStore(store);
    }
    // A burst minute: four renewals about 10 s apart and one 28–32 s gap; otherwise six about 10 s apart.
    const { rowCount } = await client.query(
      `INSERT INTO "RenewRollup" (bucket, "worstRenewTime", "leaseId", "sampleCount", "intervalMaxMs", "lagMaxMs", "worstLagMs", "intervalHist", "lagHist")
       SELECT b, b + ((l.id * 7919) % 60000) * interval '1 millisecond', l.id,
              CASE WHEN burst THEN 5 ELSE 6 END,
              CASE WHEN burst THEN 28000 + (l.id % 5) * 1000 ELSE 9600 + (l.id * 31) % 800 END,
              60, 45,
              CASE WHEN burst THEN ARRAY[$3::int, $4::int] ELSE ARRAY[$5::int] END,
              ARRAY[$6::int]
         FROM generate_series($1::timestamptz, $2::timestamptz - interval '1 minute', interval '1 minute') AS b
        CROSS JOIN "Lease" l
        CROSS JOIN LATERAL (SELECT extract(minute FROM b)::int % 30 = 0 AND l.id % 10 < 7 AS burst) AS m
        WHERE l.kind = 'node_heartbeat'`,
      [spanStart, anchor, entry(10_000, 4), entry(30_000, 1), entry(10_000, 6), entry(60, 6)],
    );
    // The node heartbeat rollups the rollup job would have written beside those rows.
    for (const statement of rebuildNodeHeartbeatRollupsSql) await client.query(statement);
    await client.query('VACUUM ANALYZE "RenewRollup"');
    await client.query('VACUUM ANALYZE "NodeHeartbeatMinute"');
    await client.query('VACUUM ANALYZE "NodeHeartbeatHour"');
    await client.query('VACUUM ANALYZE "Lease"');
    return { rows: rowCount ?? 0, seedMs: Math.round(performance.now() - started) };
  } finally {
    await client.end();
  }
}

async function timeRuns(run: () => Promise<unknown>): Promise<{ median: number; max: number }> {
  await run();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  return { median: Math.round(median(times) * 10) / 10, max: Math.round(Math.max(...times) * 10) / 10 };
}

export async function benchNodes(): Promise<NodesResult> {
  const hours = Number(process.env.BENCH_NODES_HOURS ?? 6);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'leasetrail-bench-nodes-'));
  try {
    const database = await startEmbeddedPostgres({ dataDir, log: loggerFor('bench-postgres') });
    try {
      await migrate(database.url);
      const anchor = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
      const before = os.loadavg()[0]!;
      const seeded = await seed(database.url, hours + 1, anchor);
      const store = createStore(database.url, { max: 8 });
      try {
        const clusterId = (await store.prisma.cluster.findUniqueOrThrow({ where: { name: 'prod-eu' }, select: { id: true } })).id;
        const windows: NodesResult['windows'] = [];
        const cases = [...new Set([1, hours])].flatMap((windowHours) => [true, false].map((isOnTheHour) => ({ windowHours, isOnTheHour })));
        for (const { windowHours, isOnTheHour } of cases) {
          const to = isOnTheHour ? anchor.getTime() : anchor.getTime() - 59 * 60_000;
          const range = { from: new Date(to - windowHours * 3_600_000), to: new Date(to) };
          const page = () => getNodeHeartbeats(store, 'prod-eu', range, defaultNodeHeartbeatOptions);
          const answer = await page();
          windows.push({
            hours: windowHours,
            isOnTheHour,
            from: range.from.toISOString(),
            to: range.to.toISOString(),
            pageMs: await timeRuns(page),
            withNodeMs: await timeRuns(() => getNodeHeartbeats(store, 'prod-eu', range, defaultNodeHeartbeatOptions, 'prod-eu-node-00042')),
            seriesMs: await timeRuns(() => getGapSeries(store, clusterId, range, null)),
            answerBytes: Buffer.byteLength(JSON.stringify(answer)),
            seriesPoints: answer?.series.points.length ?? 0,
            bursts: answer?.bursts.length ?? 0,
          });
        }
        const raw = await seedRaw(database.url, anchor);
        const engine: NodesResult['alerts']['engine'] = [];
        for (const windowSeconds of [300, 3_600]) {
          const read = () => loadHeartbeatFacts(store.pool, new Date(anchor.getTime() - windowSeconds * 1_000));
          const facts = await read();
          engine.push({ windowSeconds, ms: await timeRuns(read), nodes: facts.length, gaps: facts.reduce((sum, fact) => sum + fact.gaps.length, 0) });
        }
        const previewRead = () => loadHeartbeatGapHistory(store.pool, { from: new Date(anchor.getTime() - 3_600_000), to: anchor }, 20_000);
        const history = await previewRead();
        const alerts: NodesResult['alerts'] = {
          rawSamples: raw.rows,
          seedMs: raw.seedMs,
          engine,
          preview: { ms: await timeRuns(previewRead), nodes: history.length, periods: history.reduce((sum, entry) => sum + entry.periods.length, 0) },
        };
        return { figure: 'nodes', alerts, nodes: NODES, seededHours: hours + 1, rollupRows: seeded.rows, seedMs: seeded.seedMs, windows, loadAverage: { before: Math.round(before * 100) / 100, after: Math.round(os.loadavg()[0]! * 100) / 100 } };
      } finally {
        await closeStore(store);
      }
    } finally {
      await database.stop();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
