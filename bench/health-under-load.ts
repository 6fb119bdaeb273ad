import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loggerFor } from '../lib/log';
import { findFreePort, startEmbeddedPostgres } from '../lib/store/embedded-postgres';
import { migrate } from '../lib/store/migrate';
import { percentile, rssBytesOfTree, startWebServer, stopProcess, waitForHealthy } from './processes';
import { backfillRollups, seedQueriesDatabase } from './queries';

export type HealthUnderLoadResult = {
  figure: 'health-under-load';
  heavyReaders: number;
  seconds: number;
  heavy: { answered: number; byStatus: Record<string, number> };
  healthMs: { p50: number; p99: number; max: number; probes: number; failed: number };
  // The five slowest probes, with when each was sent (ms after the load began): a slow probe in the first
  // moments of load and one in the middle have different causes.
  slowestProbes: Array<{ sentAtMs: number; ms: number }>;
  webRssMiB: { idle: number; peak: number };
  target: { maxMs: number; webRssMiB: number };
  met: boolean;
  conditions: string;
};

const DAY_MS = 86_400_000;

// Ten clients asking for the heaviest reads Leasetrail serves (31-day fleet timeline, the failover
// CSV export, a 31-day rule preview) over and over, while a probe asks /api/health every 100 ms.
export async function benchHealthUnderLoad(options: { readers?: number; seconds?: number } = {}): Promise<HealthUnderLoadResult> {
  const readers = options.readers ?? 10;
  const seconds = options.seconds ?? 20;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'leasetrail-bench-health-'));
  const database = await startEmbeddedPostgres({ dataDir, log: loggerFor('bench-postgres') });
  const port = await findFreePort();
  const url = `http://127.0.0.1:${port}`;
  let web: ReturnType<typeof startWebServer> | undefined;
  try {
    await migrate(database.url);
    const seeded = await seedQueriesDatabase(database.url);
    await backfillRollups(database.url, seeded.anchor);
    web = startWebServer({ DATABASE_URL: database.url, PORT: String(port), LEASETRAIL_DATA_DIR: path.join(dataDir, 'web') });
    await waitForHealthy(url, web);

    const to = seeded.anchor.toISOString();
    const from = new Date(seeded.anchor.getTime() - 31 * DAY_MS).toISOString();
    const range = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
    // In-flight reads are cut at the end of the run, so the figure covers exactly `seconds` of load.
    const stop = new AbortController();
    const heavyRequests: Array<() => Promise<Response>> = [
      () => fetch(`${url}/api/timeline?${range}&leases=500`, { signal: stop.signal }),
      () => fetch(`${url}/api/failovers?${range}&format=csv&limit=10000`, { signal: stop.signal }),
      () =>
        fetch(`${url}/api/alert-rules/preview`, {
          signal: stop.signal,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ kind: 'flapping', params: { transitions: 2, windowSeconds: 600 }, hours: 31 * 24 }),
        }),
    ];
    const deadline = Date.now() + seconds * 1000;
    const byStatus: Record<string, number> = {};
    const reader = async (index: number) => {
      for (let turn = index; Date.now() < deadline; turn += 1) {
        const response = await heavyRequests[turn % heavyRequests.length]!().catch(() => null);
        const status = response ? String(response.status) : stop.signal.aborted ? 'cut at the end' : 'error';
        await response?.arrayBuffer().catch(() => undefined);
        byStatus[status] = (byStatus[status] ?? 0) + 1;
        // A client told to come back later does, as Retry-After says (capped so the load stays on).
        if (response?.status === 429) await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, Number(response.headers.get('retry-after') ?? 1) * 1000)));
      }
    };
    const latencies: number[] = [];
    const probes: Array<{ sentAtMs: number; ms: number }> = [];
    let failed = 0;
    const loadStarted = performance.now();
    const probe = async () => {
      while (Date.now() < deadline) {
        const started = performance.now();
        const ok = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(5_000) }).then(
          (response) => response.ok,
          () => false,
        );
        latencies.push(performance.now() - started);
        probes.push({ sentAtMs: started - loadStarted, ms: performance.now() - started });
        if (!ok) failed += 1;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    const mib = (bytes: number) => Math.round(bytes / 1_048_576);
    const idleRss = rssBytesOfTree(web.pid!);
    let peakRss = idleRss;
    const sampling = setInterval(() => (peakRss = Math.max(peakRss, rssBytesOfTree(web!.pid!))), 100);
    const ending = setTimeout(() => stop.abort(), seconds * 1000);
    await Promise.all([...Array.from({ length: readers }, (_, index) => reader(index)), probe()]);
    clearTimeout(ending);
    clearInterval(sampling);
    const sorted = latencies.sort((a, b) => a - b);
    const round = (value: number) => Math.round(value * 10) / 10;
    const healthMs = { p50: round(percentile(sorted, 50)), p99: round(percentile(sorted, 99)), max: round(sorted.at(-1) ?? Number.NaN), probes: sorted.length, failed };
    const answered = Object.values(byStatus).reduce((sum, count) => sum + count, 0);
    return {
      figure: 'health-under-load',
      heavyReaders: readers,
      seconds,
      heavy: { answered, byStatus },
      healthMs,
      slowestProbes: probes
        .sort((a, b) => b.ms - a.ms)
        .slice(0, 5)
        .map((slow) => ({ sentAtMs: round(slow.sentAtMs), ms: round(slow.ms) })),
      webRssMiB: { idle: mib(idleRss), peak: mib(peakRss) },
      target: { maxMs: 200, webRssMiB: 1_024 },
      met: healthMs.max <= 200 && failed === 0 && peakRss <= 1_024 * 1_048_576,
      conditions: `production web tier (no controller) over the queries benchmark's seeded fleet (${seeded.summary.renewSamples.toLocaleString('en')} renew samples, ${seeded.summary.transitions.toLocaleString('en')} transitions); ${readers} clients looping 31-day timeline, failover CSV and 31-day preview`,
    };
  } finally {
    if (web) await stopProcess(web);
    await database.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
