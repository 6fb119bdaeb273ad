import { appendFile } from 'node:fs/promises';
import os from 'node:os';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { changesChannel, type ChangeNotice } from '../lib/changes/notice';
import { describeIngestFigures, median, type IngestEnd } from './figures';
import { cpuSecondsOfTree, postmasterPid, rssBytes, startRig, stopProcess, waitForLeasesStored } from './processes';

export type IngestResult = {
  figure: 'ingest';
  updates: number;
  clusters: number;
  leases: number;
  threads: number;
  // 'https+h2': the API servers serve HTTPS and the controller watches over HTTP/2; 'http': HTTP/1.1, a connection per watch.
  transport: 'http' | 'https+h2';
  // perSecond and ratio are null unless the run is complete (see incompleteReason).
  pipeline: { seconds: number; perSecond: number | null };
  copy: { seconds: number; perSecond: number };
  ratio: number | null;
  // From the release to the end of the run; controllerIdle15s: the controller's CPU in the 15 s after it
  // (steady RSS sampling, nothing to ingest).
  cpuSeconds: { controller: number; postgres: number; source: number; wall: number; controllerIdle15s: number };
  // Rows PostgreSQL inserted and updated per table while the backlog was ingested.
  rowWrites: Record<string, { inserted: number; updated: number }>;
  stagingMs: number;
  // false when the run ended without every renewal stored (a watch dropped and its held events could
  // not arrive): `lost` renewals, and the gaps the controller stored for them.
  complete: boolean;
  incompleteReason: string | null;
  stored: number;
  lost: number;
  gaps: Array<{ cluster: string; reason: string; seconds: number | null }>;
  // Controller RSS, sampled every 100 ms from its start (initial lists included) to the last commit.
  rssPeakMiB: number;
  // Controller RSS once the backlog is stored and the controller idles (median over the last 5 s of 15 s).
  rssSteadyMiB: number;
  // 1-minute load average of the machine at release and at the end (others' work included).
  loadAverage: { atRelease: number; atEnd: number };
  target: { perSecond: number; ratio: number };
  met: boolean;
  conditions: string;
};

// tls: the API servers serve HTTPS with HTTP/2, as kube-apiserver does (every watch of a cluster on one connection);
// otherwise plain HTTP/1.1, a connection per watch. BENCH_INGEST_TLS=1 sets it for the ingest figure.
export type IngestOptions = { clusters?: number; leasesPerCluster?: number; updates?: number; threads?: number; tls?: boolean };

// A run ends when every renewal is stored, when nothing was stored for this long after the release (a
// dropped watch's held events can never arrive), or at the bound: it never waits on a race it lost.
const stallMs = 30_000;
const boundMs = 600_000;
const runsFile = 'bench/ingest-runs.jsonl';

// Lease updates/s end to end at saturation: the simulated API servers hold a backlog of renewals on
// open watches, then release it at once; the real controller (its own process) reads the HTTP watch
// streams, derives and commits. The clock stops when PostgreSQL has committed the last renew sample.
// Then the very same rows are loaded again with one plain binary COPY into the same table: the limit.
export async function benchIngest(options: IngestOptions = {}): Promise<IngestResult> {
  const clusters = options.clusters ?? 10;
  const leasesPerCluster = options.leasesPerCluster ?? 10_000;
  const updates = options.updates ?? 300_000;
  const threads = options.threads ?? Math.min(2, os.availableParallelism());
  // The backlog waits on open watches, not in the API servers' history (a million stored events would
  // fill the source's heap). A watch that times out (the controller asks 300 s) during the release first
  // sends all it holds and ends at the last version it wrote, so the controller resumes without a gap.
  const tls = options.tls ?? false;
  const rig = await startRig('ingest', { clusters, leasesPerCluster, historySize: 1_000, tls });
  const { client, database, source, ready } = rig;
  let rssPeak = 0;
  let sampled: number | undefined;
  // What a run measured before it failed (the COPY baseline can still fail after every renewal was stored).
  let measured: Record<string, unknown> = {};
  const sampler = setInterval(() => {
    if (sampled) rssPeak = Math.max(rssPeak, rssBytes(sampled));
  }, 100);
  try {
    const controller = rig.startController({ LEASETRAIL_CONTROLLER_THREADS: String(threads) });
    sampled = controller.pid;
    const count = async (table: string) => Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM "${table}"`)).rows[0]!.n);
    // The first list stores every lease with its current renewal; the benchmark starts after it.
    await waitForLeasesStored(client, controller, ready.leases, true);

    source.send({ type: 'stage', updates });
    const staged = await source.next('staged');
    // While the backlog is held, the API servers' bookmarks (every 5 s, at the version already delivered)
    // keep the watches from looking silent to the controller's watchdog.

    let stored = 0;
    let lastCommitAt = 0;
    client.on('notification', (message) => {
      const notice = JSON.parse(message.payload ?? '{}') as ChangeNotice;
      stored += notice.renewals ?? 0;
      lastCommitAt = Date.now();
    });
    await client.query(`LISTEN ${changesChannel}`);
    const tableStats = async () => {
      const { rows } = await client.query<{ relname: string; ins: string; upd: string }>(
        `SELECT relname, n_tup_ins AS ins, n_tup_upd AS upd FROM pg_stat_user_tables WHERE relname IN ('Lease', 'Transition', 'RenewSample', 'Cluster')`,
      );
      return Object.fromEntries(rows.map((row) => [row.relname, { inserted: Number(row.ins), updated: Number(row.upd) }]));
    };
    const statsBefore = await tableStats();
    const pgPid = postmasterPid(database.dataDir);
    const cpuBefore = { controller: cpuSecondsOfTree(controller.pid!), postgres: cpuSecondsOfTree(pgPid), source: cpuSecondsOfTree(source.pid) };
    source.send({ type: 'release' });
    const releasing = await source.next('releasing');
    const loadAtRelease = os.loadavg()[0]!;
    const endedBy = await new Promise<IngestEnd>((resolve) => {
      const check = setInterval(() => {
        const now = Date.now();
        const end: IngestEnd | undefined = stored >= updates ? 'stored' : now - Math.max(lastCommitAt, releasing.at) > stallMs ? 'stall' : now - releasing.at > boundMs ? 'bound' : undefined;
        if (end) {
          clearInterval(check);
          resolve(end);
        }
      }, 250);
    });
    const complete = endedBy === 'stored';
    const loadAtEnd = os.loadavg()[0]!;
    // CPU up to the end of the run, before the 15 s of steady RSS sampling (which the figure included
    // until 7 Dec: an idle controller's CPU is not the backlog's).
    const cpuAtEnd = { controller: cpuSecondsOfTree(controller.pid!), postgres: cpuSecondsOfTree(pgPid), source: cpuSecondsOfTree(source.pid) };
    clearInterval(sampler);
    const rssSteady = await sampleSteadyRss(controller.pid!);
    const idleControllerCpu = round(cpuSecondsOfTree(controller.pid!) - cpuAtEnd.controller, 1);
    const seconds = (Math.max(lastCommitAt, releasing.at + 1) - releasing.at) / 1_000;
    const { rows: gapRows } = await client.query<{ cluster: string; reason: string; seconds: number | null }>(
      `SELECT c.name AS cluster, g.reason::text, extract(epoch FROM g."endedAt" - g."startedAt")::float AS seconds
         FROM "ObservationGap" g JOIN "Cluster" c ON c.id = g."clusterId" ORDER BY c.name, g."startedAt"`,
    );
    const cpuSeconds = {
      controller: round(cpuAtEnd.controller - cpuBefore.controller, 1),
      postgres: round(cpuAtEnd.postgres - cpuBefore.postgres, 1),
      source: round(cpuAtEnd.source - cpuBefore.source, 1),
      wall: round(seconds, 1),
      controllerIdle15s: idleControllerCpu,
    };
    await client.query('SELECT pg_stat_force_next_flush()');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const statsAfter = await tableStats();
    const rowWrites = Object.fromEntries(
      Object.entries(statsAfter).map(([table, after]) => [table, { inserted: after.inserted - (statsBefore[table]?.inserted ?? 0), updated: after.updated - (statsBefore[table]?.updated ?? 0) }]),
    );
    measured = { stored: Math.min(stored, updates), seconds: round(seconds, 2), perSecond: endedBy === 'stored' ? Math.round(updates / seconds) : null, cpuSeconds, loadAverage: { atRelease: round(loadAtRelease, 2), atEnd: round(loadAtEnd, 2) } };
    await client.query('DELETE FROM "RenewSample" WHERE "renewTime" = (SELECT min("renewTime") FROM "RenewSample")');
    const rows = await count('RenewSample');
    if (complete && rows !== updates) throw new Error(`expected ${updates} renew samples, found ${rows}`);
    await stopProcess(controller);

    // The limit: the same rows, exported and loaded back with one binary COPY into the same table.
    const chunks: Buffer[] = [];
    await pipeline(
      client.query(copyTo('COPY (SELECT * FROM "RenewSample") TO STDOUT (FORMAT binary)')),
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          chunks.push(chunk);
          done();
        },
      }),
    );
    await client.query('TRUNCATE "RenewSample"');
    await client.query('CHECKPOINT');
    const copyStarted = performance.now();
    await client.query('BEGIN');
    await pipeline(Readable.from(chunks), client.query(copyFrom('COPY "RenewSample" FROM STDIN (FORMAT binary)')));
    await client.query('COMMIT');
    const copySeconds = (performance.now() - copyStarted) / 1_000;
    if ((await count('RenewSample')) !== rows) throw new Error('the COPY baseline did not load every row');

    const copyPerSecond = Math.round(rows / copySeconds);
    const gaps = gapRows.map((gap) => ({ ...gap, seconds: gap.seconds === null ? null : round(gap.seconds, 1) }));
    const { perSecond, ratio, incompleteReason } = describeIngestFigures({ updates, stored, seconds, copyPerSecond, endedBy, gaps, stallSeconds: stallMs / 1_000, boundSeconds: boundMs / 1_000 });
    const result: IngestResult = {
      figure: 'ingest',
      updates,
      clusters,
      leases: clusters * leasesPerCluster,
      threads,
      transport: tls ? 'https+h2' : 'http',
      pipeline: { seconds: round(seconds, 2), perSecond },
      copy: { seconds: round(copySeconds, 2), perSecond: copyPerSecond },
      ratio,
      cpuSeconds,
      rowWrites,
      stagingMs: staged.ms,
      complete,
      incompleteReason,
      stored: Math.min(stored, updates),
      lost: Math.max(0, updates - stored),
      gaps,
      rssPeakMiB: round(rssPeak / 1024 ** 2, 1),
      rssSteadyMiB: round(rssSteady / 1024 ** 2, 1),
      loadAverage: { atRelease: round(loadAtRelease, 2), atEnd: round(loadAtEnd, 2) },
      target: { perSecond: 150_000, ratio: 0.5 },
      met: perSecond !== null && ratio !== null && perSecond >= 150_000 && ratio >= 0.5,
      conditions:
        `${updates.toLocaleString('en')} Lease renewals over ${clusters} simulated clusters × ${leasesPerCluster.toLocaleString('en')} leases, held as a backlog on open ${tls ? 'HTTPS watches over HTTP/2' : 'plain HTTP/1.1 watches'} and released at once; ` +
        `the controller runs as its own process from the production bundle (dist/controller.cjs, LEASETRAIL_CONTROLLER_THREADS=${threads}), watching in protobuf; time from release to the commit of the last renew sample (LISTEN/NOTIFY); ` +
        'baseline: the same rows exported and loaded back with one binary COPY into the same table, indexes included; embedded PostgreSQL 18 with default settings on this machine',
    };
    await recordRun(result);
    return result;
  } catch (error) {
    await appendFile(runsFile, `${JSON.stringify({ measuredAt: new Date().toISOString(), clusters, leases: clusters * leasesPerCluster, updates, error: (error as Error).message, ...measured })}\n`);
    throw error;
  } finally {
    clearInterval(sampler);
    await rig.stop();
  }
}

// After the backlog: 15 s of an idle controller (bookmarks only), the median of the last 5 s.
async function sampleSteadyRss(pid: number): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 10_000));
  const samples: number[] = [];
  for (let k = 0; k < 10; k += 1) {
    samples.push(rssBytes(pid));
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return median(samples);
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

// Every run, complete or not, one JSON line: a figure that only reports its good runs is no measurement.
async function recordRun(result: IngestResult): Promise<void> {
  const { rowWrites: _rowWrites, conditions: _conditions, ...figures } = result;
  await appendFile(runsFile, `${JSON.stringify({ measuredAt: new Date().toISOString(), encoding: process.env.LEASETRAIL_WATCH_ENCODING ?? 'protobuf', ...figures })}\n`);
}
