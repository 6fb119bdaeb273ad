import path from 'node:path';
import { chromium } from '@playwright/test';
import { findFreePort } from '../lib/store/embedded-postgres';
import { changesChannel, type ChangeNotice } from '../lib/changes/notice';
import type { SteadyWrite } from './ingest-source';
import { percentile, startRig, startWebServer, stopProcess, waitForHealthy, waitForLeasesStored } from './processes';

export type LatencyFigures = { p50: number; p99: number; max: number; matched: number };

export type LatencyResult = {
  figure: 'latency';
  perSecond: number;
  seconds: number;
  writes: number;
  toRow: LatencyFigures;
  toBrowser: LatencyFigures;
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

    const committed: Arrival[] = [];
    client.on('notification', (message) => {
      const notice = JSON.parse(message.payload ?? '{}') as ChangeNotice;
      committed.push({ at: Date.now(), cluster: notice.cluster, ...(notice.leases ? { leases: notice.leases } : {}) });
    });
    await client.query(`LISTEN ${changesChannel}`);

    const page = await browser.newPage();
    await page.goto(`${url}/api/health`);
    await page.evaluate(
      () =>
        new Promise<void>((resolve) => {
          const arrivals: unknown[] = [];
          (window as unknown as { arrivals: unknown[] }).arrivals = arrivals;
          const source = new EventSource('/api/stream');
          source.addEventListener('change', (event) => {
            const notice = JSON.parse((event as MessageEvent<string>).data) as { cluster: string; leases?: string[] };
            arrivals.push({ at: Date.now(), cluster: notice.cluster, leases: notice.leases });
          });
          source.onopen = () => resolve();
        }),
    );

    source.send({ type: 'steady', perSecond, seconds });
    const { writes } = await source.next('steady-done');
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const browserArrivals = await page.evaluate(() => (window as unknown as { arrivals: Arrival[] }).arrivals);
    // The first second warms up every path; it is not counted.
    const counted = writes.filter(([, , , acceptedAt]) => acceptedAt >= writes[0]![3] + 1_000);
    const toRow = match(counted, committed);
    const toBrowser = match(counted, browserArrivals);
    return {
      figure: 'latency',
      perSecond,
      seconds,
      writes: counted.length,
      toRow,
      toBrowser,
      target: { p99Ms: 250 },
      met: toRow.p99 <= 250 && toBrowser.p99 <= 250,
      conditions:
        `${perSecond.toLocaleString('en')} renewals/s for ${seconds} s (first second not counted) spread evenly over ${clusters} simulated clusters × ${leasesPerCluster.toLocaleString('en')} leases; ` +
        'from the API server accepting the write to (a) the NOTIFY of the committed batch reaching a LISTENing session and (b) the server-sent event reaching Chromium (EventSource on /api/stream of the production build); ' +
        'controller, web tier, API servers and PostgreSQL each in their own process on this machine',
    };
  } finally {
    await browser.close();
    await stopProcess(web);
    await rig.stop();
  }
}
