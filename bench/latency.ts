import { spawn } from 'node:child_process';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { findFreePort } from '../lib/store/embedded-postgres';
import type pg from 'pg';
import type { SteadyWrite } from './ingest-source';
import { percentile, startRig, startWebServer, stopProcess, waitForHealthy, waitForLeasesStored } from './processes';

export type LatencyFigures = { p50: number; p99: number; max: number; matched: number };
// The same per second of the phase (by when the API server accepted the write): where in the phase slow writes lie.
export type LatencySecond = { second: number; writes: number; p50: number; max: number };

// One steady phase: on an idle disk, or while another process writes and fsyncs 8 MiB blocks to the
// same file system as PostgreSQL's data (diskLoad: what it wrote meanwhile).
export type LatencyPhase = { writes: number; toRow: LatencyFigures; toBrowser: LatencyFigures; toRowBySecond: LatencySecond[]; diskLoad?: { mib: number; seconds: number; syncs: number } };

export type LatencyResult = {
  figure: 'latency';
  perSecond: number;
  seconds: number;
  writes: number;
  toRow: LatencyFigures;
  toBrowser: LatencyFigures;
  toRowBySecond: LatencySecond[];
  // The same steady stream again, right after, while another process loads the disk.
  underDiskLoad: LatencyPhase;
  target: { p99Ms: number };
  met: boolean;
  conditions: string;
};

export type LatencyOptions = { clusters?: number; leasesPerCluster?: number; perSecond?: number; seconds?: number };

type Arrival = { at: number; cluster: string; leases?: string[] };

const leaseKey = (index: number) => `team-${index % 50}/controller-${index}`;

function figuresOf(latencies: number[]): LatencyFigures {
  const sorted = [...latencies].sort((a, b) => a - b);
  const ms = (value: number) => Math.round(value * 10) / 10;
  return { p50: ms(percentile(sorted, 50)), p99: ms(percentile(sorted, 99)), max: ms(sorted.at(-1) ?? Number.NaN), matched: sorted.length };
}

// Each counted write's latency, per second of the phase (by when the API server accepted it).
function bySecond(timed: Array<[acceptedAt: number, latency: number]>): LatencySecond[] {
  const start = timed.reduce((min, [acceptedAt]) => Math.min(min, acceptedAt), Number.POSITIVE_INFINITY);
  const seconds = new Map<number, number[]>();
  for (const [acceptedAt, latency] of timed) {
    const second = Math.floor((acceptedAt - start) / 1_000);
    const list = seconds.get(second);
    if (list) list.push(latency);
    else seconds.set(second, [latency]);
  }
  return [...seconds.entries()]
    .sort(([a], [b]) => a - b)
    .map(([second, latencies]) => {
      const { p50, max } = figuresOf(latencies);
      return { second, writes: latencies.length, p50, max };
    });
}

const writeKey = (cluster: string, lease: string, renewMs: number) => `${cluster}|${lease}|${renewMs}`;

// When each write's row was committed: PostgreSQL's commit timestamp (track_commit_timestamp) of the transaction
// that stored its renew sample, found by cluster, lease and renewTime. Exact whatever the change notice says (a
// notice of a batch of more than 100 leases names none of them).
async function commitTimes(client: pg.Client, writes: SteadyWrite[]): Promise<Map<string, number>> {
  const renewTimes = writes.map(([, , renewTime]) => Date.parse(renewTime));
  const { rows } = await client.query<{ cluster: string; lease: string; renew: number; committed: number }>(
    `SELECT c.name AS cluster, l.namespace || '/' || l.name AS lease,
            (extract(epoch FROM s."renewTime") * 1000)::float8 AS renew,
            (extract(epoch FROM pg_xact_commit_timestamp(s.xmin)) * 1000)::float8 AS committed
       FROM "RenewSample" s JOIN "Lease" l ON l.id = s."leaseId" JOIN "Cluster" c ON c.id = l."clusterId"
      WHERE s."renewTime" BETWEEN $1 AND $2`,
    [new Date(Math.min(...renewTimes)), new Date(Math.max(...renewTimes))],
  );
  return new Map(rows.map((row) => [writeKey(row.cluster, row.lease, Math.round(row.renew)), row.committed]));
}

// Per write: accepted → row committed, and committed → the browser's first change event of its cluster after the
// commit that names its lease or names none (a notice of too many leases to name makes the page refetch them all).
function latencies(writes: SteadyWrite[], committedAt: Map<string, number>, arrivals: Arrival[]) {
  const byCluster = new Map<string, Arrival[]>();
  for (const arrival of arrivals) {
    const list = byCluster.get(arrival.cluster);
    if (list) list.push(arrival);
    else byCluster.set(arrival.cluster, [arrival]);
  }
  const toRow: Array<[number, number]> = [];
  const toBrowser: Array<[number, number]> = [];
  for (const [cluster, lease, renewTime, acceptedAt] of writes) {
    const clusterName = `bench-${cluster}`;
    const committed = committedAt.get(writeKey(clusterName, leaseKey(lease), Date.parse(renewTime)));
    if (committed === undefined) continue;
    toRow.push([acceptedAt, committed - acceptedAt]);
    const list = byCluster.get(clusterName) ?? [];
    let low = 0;
    for (let high = list.length; low < high; ) {
      const middle = (low + high) >> 1;
      if (list[middle]!.at < committed) low = middle + 1;
      else high = middle;
    }
    const name = leaseKey(lease);
    for (let index = low; index < list.length; index += 1) {
      const arrival = list[index]!;
      if (arrival.leases && !arrival.leases.includes(name)) continue;
      toBrowser.push([acceptedAt, arrival.at - acceptedAt]);
      break;
    }
  }
  return { toRow, toBrowser };
}

// A steady stream of renewals into the simulated API servers; for each accepted write, how long until
// its row is committed (PostgreSQL's commit timestamp of the transaction that stored it) and until the live event
// reaches a browser (Chromium, EventSource on /api/stream of the production web tier). One machine,
// one clock.
export async function benchLatency(options: LatencyOptions = {}): Promise<LatencyResult> {
  const clusters = options.clusters ?? 10;
  const leasesPerCluster = options.leasesPerCluster ?? 1_000;
  const perSecond = options.perSecond ?? 5_000;
  const seconds = options.seconds ?? 20;
  // track_commit_timestamp: when each row was committed is read back from PostgreSQL (commitTimes).
  const rig = await startRig('latency', { clusters, leasesPerCluster, historySize: 10_000 }, { track_commit_timestamp: 'on' });
  const { client, database, source, ready } = rig;
  const port = await findFreePort();
  const url = `http://127.0.0.1:${port}`;
  const web = startWebServer({ DATABASE_URL: database.url, PORT: String(port), LEASETRAIL_DATA_DIR: path.join(rig.dataDir, 'web') });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const controller = rig.startController();
    await waitForLeasesStored(client, controller, ready.leases);
    await waitForHealthy(url, web);
    process.stderr.write(`latency: ${ready.leases} leases stored, web tier up\n`);

    // An empty page of the web tier's origin, so the EventSource is same-origin, answered by Playwright rather
    // than the server: an API answer's policy (default-src 'none') blocks an EventSource opened from it, and a
    // dashboard page would spend the browser's CPU redrawing the fleet on every change (measured: Chromium took
    // ≈ 0.6 of the 2 cores during a steady phase and delayed every other process), which is not this figure.
    const page = await browser.newPage();
    await page.route(`${url}/bench-blank`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>bench</title>' }));
    await page.goto(`${url}/bench-blank`);
    await page.evaluate(
      () =>
        new Promise<void>((resolve, reject) => {
          const arrivals: unknown[] = [];
          (window as unknown as { arrivals: unknown[] }).arrivals = arrivals;
          const source = new EventSource('/api/stream');
          source.addEventListener('change', (event) => {
            const notice = JSON.parse((event as MessageEvent<string>).data) as { cluster: string; leases?: string[] };
            arrivals.push({ at: Date.now(), cluster: notice.cluster, leases: notice.leases });
          });
          source.onopen = () => resolve();
          source.onerror = () => {
            if (source.readyState === EventSource.CLOSED) reject(new Error('the browser could not open /api/stream'));
          };
        }),
    );

    // One steady phase; what arrived before it is dropped.
    const phase = async (): Promise<LatencyPhase> => {
      await page.evaluate(() => ((window as unknown as { arrivals: unknown[] }).arrivals.length = 0));
      process.stderr.write(`latency: ${perSecond} renewals/s for ${seconds} s…\n`);
      source.send({ type: 'steady', perSecond, seconds });
      const { writes } = await source.next('steady-done');
      // The first second warms up every path; it is not counted.
      const counted = writes.filter(([, , , acceptedAt]) => acceptedAt >= writes[0]![3] + 1_000);
      // Until every counted write has reached both ends, or nothing more arrived for 10 s: a backlog is
      // measured to its end (a write that never arrives is reported as unmatched, not waited for forever).
      const measure = async () => latencies(counted, await commitTimes(client, counted), await page.evaluate(() => (window as unknown as { arrivals: Arrival[] }).arrivals));
      let measured = await measure();
      let lastProgress = Date.now();
      while ((measured.toRow.length < counted.length || measured.toBrowser.length < counted.length) && Date.now() - lastProgress < 10_000) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        const next = await measure();
        if (next.toRow.length > measured.toRow.length || next.toBrowser.length > measured.toBrowser.length) lastProgress = Date.now();
        measured = next;
      }
      const only = (timed: Array<[number, number]>) => timed.map(([, latency]) => latency);
      return { writes: counted.length, toRow: figuresOf(only(measured.toRow)), toBrowser: figuresOf(only(measured.toBrowser)), toRowBySecond: bySecond(measured.toRow) };
    };

    const idle = await phase();
    // The disk writer starts 2 s ahead so its first syncs are under way when the renewals start.
    const loader = spawn(process.execPath, [path.join('bench', 'disk-load.mjs'), path.join(rig.dataDir, 'disk-load.bin')], { stdio: ['ignore', 'pipe', 'inherit'] });
    let loaderOutput = '';
    loader.stdout.on('data', (chunk: Buffer) => (loaderOutput += chunk.toString()));
    const loaderExited = new Promise((resolve) => loader.once('exit', resolve));
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    let loaded: LatencyPhase;
    try {
      loaded = await phase();
    } finally {
      loader.kill('SIGTERM');
      await loaderExited;
    }
    const diskLoad = JSON.parse(loaderOutput.trim() || '{}') as { mib: number; seconds: number; syncs: number };
    const underDiskLoad = { ...loaded, diskLoad };
    const { toRow, toBrowser, toRowBySecond } = idle;
    return {
      figure: 'latency',
      perSecond,
      seconds,
      writes: idle.writes,
      toRow,
      toBrowser,
      toRowBySecond,
      underDiskLoad,
      target: { p99Ms: 250 },
      met: [toRow, toBrowser, underDiskLoad.toRow, underDiskLoad.toBrowser].every((figures) => figures.p99 <= 250),
      conditions:
        `${perSecond.toLocaleString('en')} renewals/s for ${seconds} s (first second not counted) spread evenly over ${clusters} simulated clusters × ${leasesPerCluster.toLocaleString('en')} leases; ` +
        'from the API server accepting the write to (a) the commit of the transaction that stored its renew sample (PostgreSQL commit timestamp, track_commit_timestamp=on) and (b) the first server-sent event of its cluster after that commit naming its lease or naming none (a batch of more than 100 leases is announced without names), received by Chromium (EventSource on /api/stream of the production build, on an empty page of its origin); ' +
        'controller, web tier, API servers and PostgreSQL each in their own process on this machine; then the same stream again while another process (bench/disk-load.mjs) writes 8 MiB blocks with an fsync after each to the file system of PostgreSQL\'s data',
    };
  } finally {
    await browser.close();
    await stopProcess(web);
    await rig.stop();
  }
}
