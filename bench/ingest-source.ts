import { writeKubeconfigFile } from '../lib/sim/kubeconfig';
import { LeaseApiServer, type ApiServerOptions } from '../lib/sim/api-server';
import type { LeaseInput } from '../lib/sim/lease-codec';
import { formatMicroTime } from '../lib/sim/micro-time';
import { createRandom } from '../lib/sim/random';
import { createCertificateAuthority } from '../lib/sim/tls';
import { loggerFor } from '../lib/log';

// The benchmarks' Lease source, in its own process so its CPU is not the controller's: real simulated
// kube-apiservers (HTTP list/watch) driven over IPC by bench/ingest.ts and bench/latency.ts.

export type SourceCommand =
  | { type: 'stage'; updates: number }
  | { type: 'release' }
  | { type: 'steady'; perSecond: number; seconds: number }
  | { type: 'connections' }
  | { type: 'stop' };

export type SourceReply =
  | { type: 'ready'; kubeconfig: string; clusters: number; leases: number }
  | { type: 'staged'; updates: number; ms: number }
  | { type: 'releasing'; at: number }
  | { type: 'released'; at: number }
  | { type: 'steady-done'; writes: SteadyWrite[] }
  | { type: 'connections'; open: number; http2Sessions: number; http2Streams: number }
  | { type: 'error'; message: string };

// One accepted write: which lease, the renewTime it carried and when the API server accepted it.
export type SteadyWrite = [cluster: number, lease: number, renewTime: string, acceptedAt: number];

// tls: HTTPS with the simulated fleet's own CA (HTTP/2 and HTTP/1.1 by ALPN, as kube-apiserver serves them).
type Options = { clusters: number; leasesPerCluster: number; kubeconfig: string; historySize: number; tls?: boolean };

const holders = ['cp-1', 'cp-2', 'cp-3'];
const fieldManager = { manager: 'kube-controller-manager', operation: 'Update' as const };

// Like client-go's elector: acquireTime stays from the acquisition, every renewal moves renewTime.
function leaseInput(cluster: number, index: number, renewMs: number, holder: string, resourceVersion?: string): LeaseInput {
  return {
    metadata: { name: leaseName(index), namespace: namespaceOf(index), ...(resourceVersion ? { resourceVersion } : {}) },
    spec: {
      holderIdentity: `${holder}_${(cluster * 7919 + index).toString(16).padStart(8, '0')}-1c2d-4e5f-8a9b-0c1d2e3f4a5b`,
      leaseDurationSeconds: 3_600,
      acquireTime: formatMicroTime(acquiredAt),
      renewTime: formatMicroTime(renewMs),
      leaseTransitions: 3,
    },
  };
}

const leaseName = (index: number) => `controller-${index}`;
const acquiredAt = Date.now() - 3_600_000;
const namespaceOf = (index: number) => `team-${index % 50}`;

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as Options;
  const send = (reply: SourceReply) => process.send?.(reply);
  const log = loggerFor('bench-source');
  const servers: LeaseApiServer[] = [];
  const random = createRandom('bench-source');
  const ca = options.tls ? await createCertificateAuthority('bench-ca') : undefined;
  const serving = ca ? await ca.sign({ commonName: 'bench-apiserver', usage: 'server', hosts: ['127.0.0.1', 'localhost'] }) : undefined;
  const tls: Pick<ApiServerOptions, 'tls'> = serving ? { tls: { certPem: serving.certPem, keyPem: serving.keyPem } } : {};
  for (let c = 0; c < options.clusters; c += 1) {
    // Bookmarks every 5 s keep a held watch from looking silent to the controller's 30 s watchdog.
    const server = new LeaseApiServer({ name: `bench-${c}`, historySize: options.historySize, minRequestTimeoutSeconds: 3_600, bookmarkIntervalMs: 5_000, logger: log, random: random.fork(`cluster-${c}`), ...tls });
    await server.start();
    servers.push(server);
  }
  // Renew times start a minute back so every staged renewal lies in the past when it is observed; the
  // hour-long lease duration keeps a backlog that waits a while from reading as an expiry.
  let renewClock = Date.now() - 60_000;
  for (const [c, server] of servers.entries()) {
    for (let i = 0; i < options.leasesPerCluster; i += 1) server.store.create(namespaceOf(i), leaseInput(c, i, renewClock, holders[i % 3]!), fieldManager);
  }
  const kubeconfig = await writeKubeconfigFile(options.kubeconfig, servers.map((server) => ({ name: server.name, url: server.url, ...(ca ? { caPem: ca.certPem } : {}) })));

  const renew = (c: number, i: number, renewMs: number) => {
    const server = servers[c]!;
    const current = server.store.get(namespaceOf(i), leaseName(i))!;
    server.store.update(namespaceOf(i), leaseName(i), leaseInput(c, i, renewMs, holders[i % 3]!, current.metadata.resourceVersion), fieldManager);
  };

  process.on('message', (command: SourceCommand) => {
    void (async () => {
      switch (command.type) {
        case 'stage': {
          const started = performance.now();
          for (const server of servers) server.holdWatches();
          const total = options.clusters * options.leasesPerCluster;
          for (let k = 0; k < command.updates; k += 1) {
            // Let timers run (the held watches' bookmarks), or a long staging silences every watch.
            if (k % 2_000 === 1_999) await new Promise((resolve) => setImmediate(resolve));
            // Round-robin over every lease of every cluster; each round moves renewTime on by 2 ms.
            if (k % total === 0) renewClock += 2;
            const slot = k % total;
            renew(slot % options.clusters, Math.floor(slot / options.clusters), renewClock + (slot % 1_000) / 1_000);
          }
          send({ type: 'staged', updates: command.updates, ms: Math.round(performance.now() - started) });
          break;
        }
        case 'release': {
          send({ type: 'releasing', at: Date.now() });
          await Promise.all(servers.map((server) => server.releaseWatches()));
          send({ type: 'released', at: Date.now() });
          break;
        }
        case 'steady': {
          const writes: SteadyWrite[] = [];
          const total = options.clusters * options.leasesPerCluster;
          const started = Date.now();
          const end = started + command.seconds * 1_000;
          let k = 0;
          // Writes at an even pace: every millisecond, the ones that are due.
          while (Date.now() < end) {
            const due = Math.floor(((Date.now() - started) / 1_000) * command.perSecond);
            for (; k < due; k += 1) {
              const slot = k % total;
              const c = slot % options.clusters;
              const i = Math.floor(slot / options.clusters);
              const renewMs = Date.now();
              renew(c, i, renewMs);
              writes.push([c, i, formatMicroTime(renewMs), Date.now()]);
            }
            await new Promise((resolve) => setTimeout(resolve, 1));
          }
          send({ type: 'steady-done', writes });
          break;
        }
        case 'connections': {
          const stats = servers.map((server) => server.stats());
          const sum = (pick: (stat: (typeof stats)[number]) => number) => stats.reduce((total, stat) => total + pick(stat), 0);
          send({ type: 'connections', open: sum((stat) => stat.openConnections), http2Sessions: sum((stat) => stat.http2.sessions), http2Streams: sum((stat) => stat.http2.streams) });
          break;
        }
        case 'stop':
          await Promise.all(servers.map((server) => server.stop()));
          process.exit(0);
      }
    })().catch((error: unknown) => send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }));
  });
  send({ type: 'ready', kubeconfig, clusters: options.clusters, leases: options.clusters * options.leasesPerCluster });
}

main().catch((error: unknown) => {
  process.send?.({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
});
