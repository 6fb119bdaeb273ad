import { fork } from 'node:child_process';
import { readdirSync, readlinkSync } from 'node:fs';
import os from 'node:os';
import { HttpMethod, RequestContext } from '@kubernetes/client-node';
import { request, type Dispatcher } from 'undici';
import { setWatchHttp2 } from '../lib/kube/kube-dispatcher';
import { getKubeJson, openWatch } from '../lib/kube/watch-stream';
import { LeaseApiServer } from '../lib/sim/api-server';
import { createKubeConfig } from '../lib/sim/kubeconfig';
import { createCertificateAuthority } from '../lib/sim/tls';

// What one idle context watch costs the controller's process: N watches of pods in N namespaces of one
// simulated API server (in a child process, so only the client side is measured), opened the way the
// controller opens them (lib/kube/watch-stream.ts: one shared dispatcher per cluster identity; over HTTP/1.1 one
// connection per watch, over HTTP/2 up to the server's stream limit per connection). Also what N lists cost
// through a fresh undici Agent each (what the reflector's list did before: client-node's
// RequestContext.getDispatcher() builds a new Agent on every authentication) against the shared dispatcher.
// Transport: `http` (plain HTTP/1.1, the default), `https` (TLS, HTTP/1.1: LEASETRAIL_WATCH_HTTP2=off) or `h2`
// (TLS, HTTP/2 as the controller uses it by default against a server that offers it).
//
//   node --expose-gc --import tsx bench/watch-cost.ts [watches=2000] [http|https|h2]

type Usage = { rss: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number };

const mib = (bytes: number) => Math.round((bytes / 1024 ** 2) * 10) / 10;
const kib = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;

async function settle(): Promise<Usage> {
  for (let i = 0; i < 3; i += 1) {
    (globalThis as { gc?: () => void }).gc?.();
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const { rss, heapTotal, heapUsed, external, arrayBuffers } = process.memoryUsage();
  return { rss, heapTotal, heapUsed, external, arrayBuffers };
}

function openSockets(): number {
  let count = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith('socket:')) count += 1;
    } catch {
      // closed meanwhile
    }
  }
  return count;
}

function perItem(before: Usage, after: Usage, count: number): Record<keyof Usage, number> {
  return {
    rss: kib((after.rss - before.rss) / count),
    heapTotal: kib((after.heapTotal - before.heapTotal) / count),
    heapUsed: kib((after.heapUsed - before.heapUsed) / count),
    external: kib((after.external - before.external) / count),
    arrayBuffers: kib((after.arrayBuffers - before.arrayBuffers) / count),
  };
}

type Transport = 'http' | 'https' | 'h2';

async function serve(transport: Transport): Promise<void> {
  const ca = transport === 'http' ? undefined : await createCertificateAuthority('watch-cost-ca');
  const serving = await ca?.sign({ commonName: 'watch-cost', usage: 'server', hosts: ['127.0.0.1'] });
  const server = new LeaseApiServer({ name: 'watch-cost', minRequestTimeoutSeconds: 3_600, ...(serving ? { tls: { certPem: serving.certPem, keyPem: serving.keyPem } } : {}) });
  await server.start();
  process.send?.({ url: server.url, caPem: ca?.certPem });
  process.on('message', () => void server.stop().then(() => process.exit(0)));
}

async function measure(watches: number, transport: Transport): Promise<void> {
  const child = fork(new URL(import.meta.url).pathname, ['serve', transport], { execArgv: ['--import', 'tsx'] });
  const { url, caPem } = await new Promise<{ url: string; caPem?: string }>((resolve) => child.once('message', resolve));
  const kubeConfig = createKubeConfig({ name: 'watch-cost', url, ...(caPem ? { caPem } : {}) });
  setWatchHttp2(kubeConfig, transport === 'h2' ? 'auto' : 'off');
  // Warm-up: modules, the dispatcher and undici's llhttp instance exist before the first sample.
  await getKubeJson(kubeConfig, '/api/v1/namespaces/ns-warm/pods', {}, new AbortController().signal);
  const base = await settle();
  const socketsBefore = openSockets();

  const controllers: AbortController[] = [];
  const opened: Array<Promise<void>> = [];
  for (let i = 0; i < watches; i += 1) {
    opened.push(
      new Promise<void>((resolve) => {
        void openWatch(kubeConfig, `/api/v1/namespaces/ns-${i}/pods`, { resourceVersion: '1', allowWatchBookmarks: true, timeoutSeconds: 3_600 }, () => undefined, () => undefined, { encoding: 'json', requestTimeoutMs: 3_600_000 }).then((controller) => {
          controllers.push(controller);
          resolve();
        });
      }),
    );
  }
  await Promise.all(opened);
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const withWatches = await settle();
  const watchSockets = openSockets() - socketsBefore;
  for (const controller of controllers) controller.abort();
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const afterWatches = await settle();

  // Lists: through the shared dispatcher (getKubeJson, what the reflector does now), then a fresh client-node
  // dispatcher each (what it did before). The shared one first: the fresh Agents' kept-alive sockets close on their own
  // a few seconds later and would be counted against it.
  const lists = Math.min(watches, 1_000);
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  const listBase = await settle();
  const listSocketsBefore = openSockets();
  for (let i = 0; i < lists; i += 1) await getKubeJson(kubeConfig, `/api/v1/namespaces/ns-${i}/pods`, {}, new AbortController().signal);
  const shared = await settle();
  const sharedSockets = openSockets() - listSocketsBefore;
  const cluster = kubeConfig.getCurrentCluster()!;
  for (let i = 0; i < lists; i += 1) {
    const context = new RequestContext(`${cluster.server}/api/v1/namespaces/ns-${i}/pods`, HttpMethod.GET);
    await kubeConfig.applySecurityAuthentication(context);
    const response = await request(`${cluster.server}/api/v1/namespaces/ns-${i}/pods`, { method: 'GET', headers: { ...context.getHeaders(), accept: 'application/json' }, dispatcher: context.getDispatcher() as Dispatcher | undefined });
    await response.body.json();
  }
  const freshAgents = await settle();
  const freshSockets = openSockets() - listSocketsBefore - sharedSockets;

  child.send('stop');
  const result = {
    watches,
    transport,
    machine: `${os.cpus().length} cores, Node ${process.version}, load ${os.loadavg().map((value) => value.toFixed(2)).join(' ')}`,
    idleWatch: {
      totalMiB: { rss: mib(withWatches.rss - base.rss), heapTotal: mib(withWatches.heapTotal - base.heapTotal), heapUsed: mib(withWatches.heapUsed - base.heapUsed), external: mib(withWatches.external - base.external), arrayBuffers: mib(withWatches.arrayBuffers - base.arrayBuffers) },
      perWatchKiB: perItem(base, withWatches, watches),
      sockets: watchSockets,
      afterClosingMiB: { rss: mib(afterWatches.rss - base.rss), heapUsed: mib(afterWatches.heapUsed - base.heapUsed) },
    },
    lists: {
      count: lists,
      sharedDispatcher: { perListKiB: perItem(listBase, shared, lists), socketsLeftOpen: sharedSockets },
      freshAgentEach: { perListKiB: perItem(shared, freshAgents, lists), socketsLeftOpen: freshSockets },
    },
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  process.exit(0);
}

const transportOf = (value: string | undefined): Transport => (value === 'https' || value === 'h2' ? value : 'http');
if (process.argv[2] === 'serve') void serve(transportOf(process.argv[3]));
else void measure(Number(process.argv[2] ?? 2_000), transportOf(process.argv[3]));
