import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loggerFor } from '../lib/log';
import { startEmbeddedPostgres } from '../lib/store/embedded-postgres';
import { migrate } from '../lib/store/migrate';
import { rssBytes, Source, startController, stopProcess, waitForLeasesStored } from './processes';

export type MemoryResult = {
  figure: 'memory';
  clusters: number;
  leases: number;
  rssMiB: { baseline: number; afterSync: number; steady: number; peak: number };
  // (steady − baseline) per tracked lease.
  perLeaseKiB: number;
  syncSeconds: number;
  target: { rssMiB: number };
  met: boolean;
  conditions: string;
};

export type MemoryOptions = { clusters?: number; leasesPerCluster?: number; perSecond?: number; seconds?: number };

const mib = (bytes: number) => Math.round((bytes / 1024 ** 2) * 10) / 10;

// The controller process (npm run controller) tracking every lease of many clusters: its resident
// memory once all are listed and stored, and while they keep renewing.
export async function benchMemory(options: MemoryOptions = {}): Promise<MemoryResult> {
  const clusters = options.clusters ?? 100;
  const leasesPerCluster = options.leasesPerCluster ?? 1_000;
  const perSecond = options.perSecond ?? 5_000;
  const seconds = options.seconds ?? 30;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'leasetrail-bench-memory-'));
  const database = await startEmbeddedPostgres({ dataDir, log: loggerFor('bench-postgres') });
  const source = new Source({ clusters, leasesPerCluster, kubeconfig: path.join(dataDir, 'kubeconfig'), historySize: 10_000 });
  const sourceReady = source.next('ready');
  const client = new pg.Client({ connectionString: database.url });
  let controller: ReturnType<typeof startController> | undefined;
  let peak = 0;
  const sampler = setInterval(() => {
    if (controller?.pid) peak = Math.max(peak, rssBytes(controller.pid));
  }, 100);
  try {
    await migrate(database.url);
    await client.connect();
    // The same process with no cluster at all: modules, PostgreSQL clients, the alert engine.
    const idle = startController({ DATABASE_URL: database.url, KUBECONFIG: path.join(dataDir, 'no-such-kubeconfig') });
    await new Promise((resolve) => setTimeout(resolve, 8_000));
    const baseline = rssBytes(idle.pid!);
    await stopProcess(idle);
    const ready = await sourceReady;
    const started = Date.now();
    controller = startController({ DATABASE_URL: database.url, KUBECONFIG: ready.kubeconfig, ...(process.env.BENCH_CONTROLLER_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_CONTROLLER_NODE_OPTIONS } : {}) });
    await waitForLeasesStored(client, controller, ready.leases);
    const syncSeconds = (Date.now() - started) / 1_000;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const afterSync = rssBytes(controller.pid!);
    // With BENCH_CONTROLLER_NODE_OPTIONS=--heapsnapshot-signal=SIGUSR2, this writes a heap snapshot to look into.
    if (process.env.BENCH_HEAP_SNAPSHOT) {
      controller.kill('SIGUSR2');
      await new Promise((resolve) => setTimeout(resolve, 30_000));
    }
    source.send({ type: 'steady', perSecond, seconds });
    await source.next('steady-done');
    const steady = rssBytes(controller.pid!);
    const figures = { baseline: mib(baseline), afterSync: mib(afterSync), steady: mib(steady), peak: mib(peak) };
    return {
      figure: 'memory',
      clusters,
      leases: ready.leases,
      rssMiB: figures,
      perLeaseKiB: Math.round(((steady - baseline) / ready.leases / 1024) * 100) / 100,
      syncSeconds: Math.round(syncSeconds * 10) / 10,
      target: { rssMiB: 300 },
      met: figures.peak <= 300,
      conditions:
        'baseline: the same controller process watching no cluster, after 8 s; ' +
        `controller process (npm run controller) watching ${clusters} simulated clusters × ${leasesPerCluster.toLocaleString('en')} election leases: ` +
        `RSS 2 s after every lease is stored, after ${seconds} s of ${perSecond.toLocaleString('en')} renewals/s, and the peak sampled every 100 ms from start (initial lists included)`,
    };
  } finally {
    clearInterval(sampler);
    if (controller) await stopProcess(controller);
    await client.end().catch(() => undefined);
    await source.stop();
    await database.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
