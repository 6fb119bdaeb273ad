import type { ChildProcess } from 'node:child_process';
import { readdirSync, readlinkSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { rssBytes, startRig, stopProcess, waitForLeasesStored } from './processes';

export type MemoryResult = {
  figure: 'memory';
  clusters: number;
  leases: number;
  rssMiB: { baseline: number; afterSync: number; steady: number; peak: number };
  // (steady − baseline) per tracked lease.
  perLeaseKiB: number;
  syncSeconds: number;
  // Open sockets of the controller process 2 s after every lease is stored (one per watch over HTTP/1.1, a few
  // per cluster over HTTP/2, plus PostgreSQL).
  controllerSockets: number;
  // LEASETRAIL_WATCH_HTTP2 the controller ran with, and what the simulated API servers (HTTPS) saw at that moment:
  // their open connections, and the HTTP/2 sessions and streams since start (0 sessions: every watch was HTTP/1.1).
  watchHttp2: string;
  apiServers: { openConnections: number; http2Sessions: number; http2Streams: number };
  // LEASETRAIL_CONTEXT_SCOPE the controller ran with (namespaces unless set).
  contextScope: string;
  loadAverage: { atStart: number; afterSync: number; atEnd: number };
  target: { rssMiB: number };
  met: boolean;
  conditions: string;
};

export type MemoryOptions = { clusters?: number; leasesPerCluster?: number; perSecond?: number; seconds?: number };

const mib = (bytes: number) => Math.round((bytes / 1024 ** 2) * 10) / 10;
const load = () => Math.round(os.loadavg()[0]! * 100) / 100;

function socketsOf(pid: number): number {
  let count = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) count += 1;
    } catch {
      // closed meanwhile
    }
  }
  return count;
}

// Asks the controller (started with --heapsnapshot-signal=SIGUSR2) for a snapshot and waits until the file stops growing.
async function writeHeapSnapshot(controller: ChildProcess, dir: string): Promise<void> {
  const snapshots = () => readdirSync(dir).filter((name) => name.endsWith('.heapsnapshot'));
  const before = new Set(snapshots());
  controller.kill('SIGUSR2');
  const deadline = Date.now() + 600_000;
  let size = -1;
  let stableSince = Date.now();
  while (Date.now() < deadline) {
    if (controller.exitCode !== null || controller.signalCode !== null) {
      process.stderr.write('heap snapshot: the controller exited before it was written\n');
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const written = snapshots().find((name) => !before.has(name));
    if (!written) continue;
    const now = statSync(path.join(dir, written)).size;
    if (now !== size) {
      size = now;
      stableSince = Date.now();
    } else if (size > 0 && Date.now() - stableSince >= 5_000) {
      process.stderr.write(`heap snapshot: ${path.join(dir, written)} (${mib(size)} MiB)\n`);
      return;
    }
  }
  process.stderr.write('heap snapshot: not written within 10 minutes\n');
}

// The controller process (npm run controller) tracking every lease of many clusters: its resident
// memory once all are listed and stored, and while they keep renewing.
export async function benchMemory(options: MemoryOptions = {}): Promise<MemoryResult> {
  const clusters = options.clusters ?? 100;
  const leasesPerCluster = options.leasesPerCluster ?? 1_000;
  const perSecond = options.perSecond ?? 5_000;
  const seconds = options.seconds ?? 30;
  const loadAtStart = load();
  const rig = await startRig('memory', { clusters, leasesPerCluster, historySize: 10_000, tls: true });
  const { client, source, ready } = rig;
  let controller: ChildProcess | undefined;
  let peak = 0;
  const sampler = setInterval(() => {
    if (controller?.pid) peak = Math.max(peak, rssBytes(controller.pid));
  }, 100);
  try {
    // The same process with no cluster at all: modules, PostgreSQL clients, the alert engine.
    const idle = rig.startController({ KUBECONFIG: path.join(rig.dataDir, 'no-such-kubeconfig') });
    await new Promise((resolve) => setTimeout(resolve, 8_000));
    const baseline = rssBytes(idle.pid!);
    await stopProcess(idle);
    const started = Date.now();
    controller = rig.startController();
    await waitForLeasesStored(client, controller, ready.leases);
    const syncSeconds = (Date.now() - started) / 1_000;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const afterSync = rssBytes(controller.pid!);
    const controllerSockets = socketsOf(controller.pid!);
    const connections = source.next('connections');
    source.send({ type: 'connections' });
    const { open, http2Sessions, http2Streams } = await connections;
    const loadAfterSync = load();
    source.send({ type: 'steady', perSecond, seconds });
    await source.next('steady-done');
    const steady = rssBytes(controller.pid!);
    // BENCH_HEAP_SNAPSHOT=<dir>: the controller's heap at steady state, written before it is stopped (after the
    // figures: writing a snapshot doubles the heap for a while).
    clearInterval(sampler);
    // A snapshot that cannot be written costs the snapshot, not the figures measured before it.
    if (process.env.BENCH_HEAP_SNAPSHOT) await writeHeapSnapshot(controller, process.env.BENCH_HEAP_SNAPSHOT).catch((error: unknown) => process.stderr.write(`heap snapshot failed: ${String(error)}\n`));
    const figures = { baseline: mib(baseline), afterSync: mib(afterSync), steady: mib(steady), peak: mib(peak) };
    return {
      figure: 'memory',
      clusters,
      leases: ready.leases,
      rssMiB: figures,
      perLeaseKiB: Math.round(((steady - baseline) / ready.leases / 1024) * 100) / 100,
      syncSeconds: Math.round(syncSeconds * 10) / 10,
      controllerSockets,
      watchHttp2: process.env.LEASETRAIL_WATCH_HTTP2 ?? 'auto',
      apiServers: { openConnections: open, http2Sessions, http2Streams },
      contextScope: process.env.LEASETRAIL_CONTEXT_SCOPE ?? 'namespaces',
      loadAverage: { atStart: loadAtStart, afterSync: loadAfterSync, atEnd: load() },
      target: { rssMiB: 300 },
      met: figures.peak <= 300,
      conditions:
        'baseline: the same controller process watching no cluster, after 8 s; ' +
        `controller process (npm run controller) watching ${clusters} simulated clusters (HTTPS; HTTP/2 unless LEASETRAIL_WATCH_HTTP2=off) × ${leasesPerCluster.toLocaleString('en')} election leases: ` +
        `RSS 2 s after every lease is stored, after ${seconds} s of ${perSecond.toLocaleString('en')} renewals/s, and the peak sampled every 100 ms from start (initial lists included)`,
    };
  } finally {
    clearInterval(sampler);
    await rig.stop();
  }
}
