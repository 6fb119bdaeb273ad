import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LeaseSource } from '@/lib/kube/lease-source';
import { runReflector } from '@/lib/kube/resource-reflector';
import { listLeasePage, openWatch } from '@/lib/kube/watch-stream';
import { loggerFor } from '@/lib/log';
import { LeaseApiServer } from '@/lib/sim/api-server';
import { createKubeConfig } from '@/lib/sim/kubeconfig';
import { createCertificateAuthority } from '@/lib/sim/tls';
import { waitFor } from './support';

const stops: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function startServer(options: Partial<ConstructorParameters<typeof LeaseApiServer>[0]> = {}): Promise<LeaseApiServer> {
  const server = new LeaseApiServer({ name: 'requests', ...options });
  await server.start();
  stops.push(() => server.stop());
  return server;
}

function sourceFor(kubeConfig: ReturnType<typeof createKubeConfig>): LeaseSource {
  return new LeaseSource({ cluster: 'requests', kubeConfig, log: loggerFor('source-requests-test'), onEvent: () => undefined, onState: () => undefined });
}

const leasesPath = '/apis/coordination.k8s.io/v1/leases';

describe('the controller’s own requests to an API server', () => {
  it('reuse one TLS connection per kubeconfig instead of a new agent (and handshake) per request', async () => {
    const ca = await createCertificateAuthority('requests-ca');
    const serving = await ca.sign({ commonName: 'requests', usage: 'server', hosts: ['127.0.0.1'] });
    const server = await startServer({ tls: { certPem: serving.certPem, keyPem: serving.keyPem } });
    const kubeConfig = createKubeConfig({ name: 'requests', url: server.url, caPem: ca.certPem });
    for (let k = 0; k < 6; k += 1) await listLeasePage(kubeConfig, leasesPath, {}, { encoding: 'json' });
    await sourceFor(kubeConfig).read(['kube-system/absent'], 5_000);
    expect(server.stats().requests.list).toBe(7);
    // Kept alive and reused (undici may open a second one while the first is being handed back); one agent per request would make seven.
    expect(server.stats().connections).toBeLessThanOrEqual(2);
  });

  it('abort a read’s requests when the read times out', async () => {
    let closed = 0;
    let received = 0;
    const silent = http.createServer((req) => {
      received += 1;
      req.on('close', () => (closed += 1));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    stops.push(() => new Promise<void>((resolve) => silent.close(() => resolve())));
    stops.push(() => void silent.closeAllConnections());
    const kubeConfig = createKubeConfig({ name: 'requests', url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}` });

    await expect(sourceFor(kubeConfig).read(['kube-system/a', 'kube-system/b'], 100)).rejects.toThrow('read timed out after 100 ms');
    expect(received).toBe(2);
    await waitFor('both requests closed by the client', () => closed === 2, 3_000);
  });

  it('start a watch’s connect timeout after authentication, so a slow credential plugin does not use it up', async () => {
    const server = await startServer({ bookmarkIntervalMs: 20 });
    const kubeConfig = createKubeConfig({ name: 'requests', url: server.url });
    const authenticate = kubeConfig.applySecurityAuthentication.bind(kubeConfig);
    // An exec plugin that takes twice the connect timeout to hand out its token.
    kubeConfig.applySecurityAuthentication = async (context) => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      return authenticate(context);
    };
    const events: string[] = [];
    let ended: unknown = 'open';
    const watch = await openWatch(kubeConfig, leasesPath, { allowWatchBookmarks: true, resourceVersion: String(server.store.revision) }, (type) => events.push(type), (error) => (ended = error), {
      requestTimeoutMs: 100,
      encoding: 'json',
    });
    stops.push(() => watch.abort());
    server.store.create('kube-system', { metadata: { name: 'after-auth' }, spec: { holderIdentity: 'a' } }, { manager: 'test' });
    await waitFor('the event after a slow authentication', () => events.includes('ADDED'), 5_000);
    expect(ended).toBe('open');
  });

  it('resume a context watch that went silent from its resourceVersion instead of listing the namespace again', async () => {
    const server = await startServer();
    const kubeConfig = createKubeConfig({ name: 'requests', url: server.url });
    const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'quiet' }, spec: {}, status: {} });
    server.context.put('pods', pod('before'));
    const seen: string[] = [];
    const abort = new AbortController();
    const running = runReflector(
      {
        kubeConfig,
        paths: ['/api/v1/namespaces/quiet/pods'],
        log: loggerFor('source-requests-test'),
        onObject: (type, object) => seen.push(`${type} ${(object as { metadata: { name: string } }).metadata.name}`),
        onAccess: () => undefined,
        // The server would keep the watch for 5 minutes; a silence of 150 ms is taken for a dead connection.
        watchTimeoutSeconds: 300,
        watchSilenceMs: 150,
      },
      abort.signal,
    );
    stops.push(async () => {
      abort.abort();
      await running;
    });
    // A quiet namespace: the watch is cut for silence again and again.
    await waitFor('three watches of the quiet namespace', () => (server.stats().requests['pods watch'] ?? 0) >= 3, 10_000);
    server.context.put('pods', pod('after'));
    await waitFor('the pod created while the watch was being resumed', () => seen.includes('ADDED after'), 10_000);
    expect(server.stats().requests['pods list']).toBe(1);
    expect(seen.filter((entry) => entry === 'ADDED before')).toHaveLength(1);
  });
});
