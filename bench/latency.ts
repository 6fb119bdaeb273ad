import { spawn } from 'node:child_process';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { findFreePort } from '../lib/store/embedded-postgres';
import { changesChannel, type ChangeNotice } from '../lib/changes/notice';
import type { SteadyWrite } from './ingest-source';
import { percentile, startRig, startWebServer, stopProcess, waitForHealthy, waitForLeasesStored } from './processes';

export type LatencyFigures = { p50: number; p99: number; max: number; matched: number };

// One steady phase: on an idle disk, or while another process writes and fsyncs 8 MiB blocks to the
// same file system as PostgreSQL's data (diskLoad: what it wrote meanwhile).
export type LatencyPhase = { writes: number; toRow: LatencyFigures; toBrowser: LatencyFigures; diskLoad?: { mib: number; seconds: number; syncs: number } };

export type LatencyResult = {
  figure: 'latency';
  perSecond: number;
  seconds: number;
  writes: number;
  toRow: LatencyFigures;
  toBrowser: LatencyFigures;
  // The same steady stream again, right after, while another process loads the disk.
  underDiskLoad: LatencyPhase;
  target: { p99Ms: number };
  met: boolean;
  conditions: string;
};

export type LatencyOptions = { clusters?: number; leasesPerCluster?: number; perSecond?: number; seconds?: number };

type Arrival = { at: number; cluster: string; leases?: string[] };

const leaseKey = (index: number) => `team-${index % 50}/controller-${index}`;

// For each write, the first notice after it that names its lease: the write's batch committed then.
function match(writes: SteadyWrite[], arrivals: Arrival[]): LatencyFigures {
  const byLease = new Map<string, number[]>();
  arrivals.forEach((arrival, index) => {
    for (const lease of arrival.leases ?? []) {
      const key = `${arrival.cluster}|${lease}`;
      byLease.set(key, [...(byLease.get(key) ?? []), index]);
    }
  });
  const latencies: number[] = [];
  for (const [cluster, lease, , acceptedAt] of writes) {
    const indexes = byLease.get(`bench-${cluster}|${leaseKey(lease)}`) ?? [];
    const first = indexes.find((index) => arrivals[index]!.at >= acceptedAt);
    if (first !== undefined) latencies.push(arrivals[first]!.at - acceptedAt);
  }
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1) ?? Number.NaN, matched: latencies.length };
}

// A steady stream of renewals into the simulated API servers; for each accepted write, how long until
// its row is committed (the NOTIFY of its batch reaches a LISTENing session) and until the live event
// reaches a browser (Chromium, EventSource on /api/stream of the production web tier). One machine,
// one clock.
export async function benchLatency(options: LatencyOptions = {}): Promise<LatencyResult> {
  const clusters = options.clusters ?? 10;
  const leasesPerCluster = options.leasesPerCluster ?? 1_000;
  const perSecond = options.perSecond ?? 5_000;
  const seconds = options.seconds ?? 20;
  const rig = await startRig('latency', { clusters, leasesPerCluster, historySize: 10_000 });
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

    const committed: Arrival[] = [];
    client.on('notification', (message) => {
      const notice = JSON.parse(message.payload ?? '{}') as ChangeNotice;
      committed.push({ at: Date.now(), cluster: notice.cluster, ...(notice.leases ? { leases: notice.leases } : {}) });
    });
    await client.query(`LISTEN ${changesChannel}`);

    // A page of the dashboard, whose Content-Security-Policy allows connecting to its own origin (an API
    // answer's policy is default-src 'none', which blocks an EventSource opened from it).
    const page = await browser.newPage();
    await page.goto(`${url}/`);
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

    // One steady phase; what arrived before it is dropped on both paths.
    const phase = async (): Promise<LatencyPhase> => {
      committed.length = 0;
      await page.evaluate(() => ((window as unknown as { arrivals: unknown[] }).arrivals.length = 0));
      process.stderr.write(`latency: ${perSecond} renewals/s for ${seconds} s…\n`);
      source.send({ type: 'steady', perSecond, seconds });
      const { writes } = await source.next('steady-done');
      // The first second warms up every path; it is not counted.
      const counted = writes.filter(([, , , acceptedAt]) => acceptedAt >= writes[0]![3] + 1_000);
      // Until every counted write has reached both ends, or nothing more arrived for 10 s: a backlog is
      // measured to its end (a write that never arrives is reported as unmatched, not waited for forever).
      let toRow = match(counted, committed);
      let toBrowser = match(counted, await page.evaluate(() => (window as unknown as { arrivals: Arrival[] }).arrivals));
      let lastProgress = Date.now();
      while ((toRow.matched < counted.length || toBrowser.matched < counted.length) && Date.now() - lastProgress < 10_000) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        const row = match(counted, committed);
        const browser = match(counted, await page.evaluate(() => (window as unknown as { arrivals: Arrival[] }).arrivals));
        if (row.matched > toRow.matched || browser.matched > toBrowser.matched) lastProgress = Date.now();
        toRow = row;
        toBrowser = browser;
      }
      return { writes: counted.length, toRow, toBrowser };
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
    const { toRow, toBrowser } = idle;
    return {
      figure: 'latency',
      perSecond,
      seconds,
      writes: idle.writes,
      toRow,
      toBrowser,
      underDiskLoad,
      target: { p99Ms: 250 },
      met: [toRow, toBrowser, underDiskLoad.toRow, underDiskLoad.toBrowser].every((figures) => figures.p99 <= 250),
      conditions:
        `${perSecond.toLocaleString('en')} renewals/s for ${seconds} s (first second not counted) spread evenly over ${clusters} simulated clusters × ${leasesPerCluster.toLocaleString('en')} leases; ` +
        'from the API server accepting the write to (a) the NOTIFY of the committed batch reaching a LISTENing session and (b) the server-sent event reaching Chromium (EventSource on /api/stream of the production build); ' +
        'controller, web tier, API servers and PostgreSQL each in their own process on this machine; then the same stream again while another process (bench/disk-load.mjs) writes 8 MiB blocks with an fsync after each to the file system of PostgreSQL\'s data',
    };
  } finally {
    await browser.close();
    await stopProcess(web);
    await rig.stop();
  }
}
