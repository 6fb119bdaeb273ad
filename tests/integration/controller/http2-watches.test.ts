import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import type { Controller } from '@/lib/kube/controller';
import { setWatchHttp2, type WatchHttp2 } from '@/lib/kube/kube-dispatcher';
import { LeaseSource, type SourceRawEvent } from '@/lib/kube/lease-source';
import { runReflector } from '@/lib/kube/resource-reflector';
import { openWatch, type WireEncoding } from '@/lib/kube/watch-stream';
import { loggerFor } from '@/lib/log';
import { LeaseApiServer, type ApiServerOptions } from '@/lib/sim/api-server';
import { createKubeConfig } from '@/lib/sim/kubeconfig';
import { formatMicroTime } from '@/lib/sim/micro-time';
import { createCertificateAuthority } from '@/lib/sim/tls';
import { createMigratedDatabase, type MigratedDatabase } from '../helpers/database';
import { fastWatcherOptions, query, startController, waitFor } from './support';

// Every watch of a cluster over one HTTP/2 connection, as client-go does, where the API server offers h2 (TLS, ALPN).

const stops: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

const namespaceCount = 30;
const namespaces = Array.from({ length: namespaceCount }, (_, i) => `team-${String(i).padStart(2, '0')}`);
const log = loggerFor('http2-watches-test');

type Pki = { caPem: string; certPem: string; keyPem: string };

async function createPki(): Promise<Pki> {
  const ca = await createCertificateAuthority('h2-ca');
  const serving = await ca.sign({ commonName: 'h2', usage: 'server', hosts: ['127.0.0.1'] });
  return { caPem: ca.certPem, certPem: serving.certPem, keyPem: serving.keyPem };
}

async function startTlsServer(options: Partial<ApiServerOptions> = {}, pki?: Pki): Promise<{ server: LeaseApiServer; kubeConfig: KubeConfig }> {
  const { caPem, ...serving } = pki ?? (await createPki());
  const server = new LeaseApiServer({ name: 'h2', bookmarkIntervalMs: 200, ...options, tls: { certPem: serving.certPem, keyPem: serving.keyPem } });
  await server.start();
  stops.push(() => server.stop());
  for (const namespace of namespaces) {
    server.store.create(namespace, { metadata: { name: 'operator' }, spec: { holderIdentity: `${namespace}-0_abc`, leaseDurationSeconds: 3600, renewTime: formatMicroTime(Date.now()) } }, { manager: 'test' });
  }
  return { server, kubeConfig: createKubeConfig({ name: 'h2', url: server.url, caPem }) };
}

const pod = (namespace: string, name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, uid: `uid-${namespace}-${name}` }, spec: { nodeName: 'node-1' }, status: {} });

type Watching = { leaseEvents: Array<{ type: string; name?: string }>; pods: string[]; watches: number };

// A Lease source and a pods and an Events reflector per namespace: the watches one cluster's controller holds.
function watchEverything(kubeConfig: KubeConfig, options: { http2?: WatchHttp2; encoding?: WireEncoding; watchTimeoutSeconds?: number } = {}): Watching {
  if (options.http2) setWatchHttp2(kubeConfig, options.http2);
  const seen: Watching = { leaseEvents: [], pods: [], watches: 1 + namespaceCount * 2 };
  const abort = new AbortController();
  const onEvent = (event: SourceRawEvent) => {
    if (event.type === 'ADDED' || event.type === 'MODIFIED' || event.type === 'DELETED') seen.leaseEvents.push({ type: event.type, name: (event.object as { metadata?: { name?: string } }).metadata?.name });
    if (event.type === 'synced') for (const object of event.objects) seen.leaseEvents.push({ type: 'listed', name: (object as { metadata?: { name?: string } }).metadata?.name });
  };
  const source = new LeaseSource({
    cluster: 'h2',
    kubeConfig,
    log,
    onEvent,
    onState: () => undefined,
    encoding: options.encoding ?? 'protobuf',
    watchdogMs: 10_000,
    backoff: { initialMs: 20, maxMs: 200 },
    ...(options.watchTimeoutSeconds ? { watchTimeoutSeconds: options.watchTimeoutSeconds } : {}),
  });
  const running = [source.run(abort.signal)];
  for (const namespace of namespaces) {
    for (const resource of ['pods', 'events']) {
      running.push(
        runReflector(
          {
            kubeConfig,
            paths: [`/api/v1/namespaces/${namespace}/${resource}`],
            log,
            onObject: (type, object) => {
              if (resource === 'pods') seen.pods.push(`${type} ${(object as { metadata: { name: string } }).metadata.name}`);
            },
            onAccess: () => undefined,
            ...(options.watchTimeoutSeconds ? { watchTimeoutSeconds: options.watchTimeoutSeconds } : {}),
          },
          abort.signal,
        ),
      );
    }
  }
  stops.push(async () => {
    abort.abort();
    await Promise.all(running);
  });
  return seen;
}

async function allWatching(server: LeaseApiServer, watching: Watching): Promise<void> {
  await waitFor('every watch open', () => server.stats().activeWatches + server.stats().activeContextWatches === watching.watches, 15_000);
}

async function seesChanges(server: LeaseApiServer, watching: Watching): Promise<void> {
  const current = server.store.get('team-07', 'operator')!;
  server.store.update('team-07', 'operator', { metadata: { name: 'operator', resourceVersion: current.metadata.resourceVersion }, spec: { holderIdentity: 'team-07-1_def', leaseDurationSeconds: 3600, renewTime: formatMicroTime(Date.now()) } }, { manager: 'test' });
  server.context.put('pods', pod('team-21', 'worker-after'));
  await waitFor('the Lease change', () => watching.leaseEvents.some((event) => event.type === 'MODIFIED' && event.name === 'operator'), 10_000);
  await waitFor('the pod change', () => watching.pods.includes('ADDED worker-after'), 10_000);
}

describe('watches over HTTP/2', () => {
  it('carry a Lease watch and 60 pods and Events watches over one connection', async () => {
    const { server, kubeConfig } = await startTlsServer();
    const watching = watchEverything(kubeConfig);
    await allWatching(server, watching);
    await seesChanges(server, watching);
    const stats = server.stats();
    // One connection asked which protocol the server speaks (closed since); one carries every request.
    expect(stats.openConnections).toBe(1);
    expect(stats.connections).toBeLessThanOrEqual(2);
    expect(stats.http2.streams).toBeGreaterThanOrEqual(watching.watches);
    expect(stats.requests.protobuf).toBeGreaterThan(0);
  });

  it('open another connection when one carries as many streams as the server allows, and serve every watch', async () => {
    const { server, kubeConfig } = await startTlsServer({ http2: { maxStreams: 20 } });
    const watching = watchEverything(kubeConfig);
    await allWatching(server, watching);
    await seesChanges(server, watching);
    // 61 watches, 20 streams a connection: 4 connections at least (lists at start may have needed one more).
    expect(server.stats().openConnections).toBeGreaterThanOrEqual(4);
    expect(server.stats().openConnections).toBeLessThanOrEqual(6);
  });

  it('use HTTP/1.1, a connection per watch, with LEASETRAIL_WATCH_HTTP2=off', async () => {
    const { server, kubeConfig } = await startTlsServer();
    const watching = watchEverything(kubeConfig, { http2: 'off' });
    await allWatching(server, watching);
    await seesChanges(server, watching);
    expect(server.stats().http2.sessions).toBe(0);
    expect(server.stats().openConnections).toBeGreaterThanOrEqual(watching.watches);
  });

  it('fall back to HTTP/1.1 against a TLS server that does not offer h2', async () => {
    const { server, kubeConfig } = await startTlsServer({ http2: false });
    const watching = watchEverything(kubeConfig);
    await allWatching(server, watching);
    await seesChanges(server, watching);
    expect(server.stats().http2.sessions).toBe(0);
    expect(server.stats().openConnections).toBeGreaterThanOrEqual(watching.watches);
  });

  it('resume watches the server ends by their timeout from their resourceVersion, on the same connection', async () => {
    const { server, kubeConfig } = await startTlsServer();
    const watching = watchEverything(kubeConfig, { encoding: 'json', watchTimeoutSeconds: 1 });
    await allWatching(server, watching);
    const reopened = () => {
      const requests = server.stats().requests;
      return (requests.watch ?? 0) >= 3 && (requests['pods watch'] ?? 0) >= namespaceCount * 3 && (requests['events watch'] ?? 0) >= namespaceCount * 3;
    };
    await waitFor('every watch ended by the server twice and opened again', reopened, 10_000);
    await allWatching(server, watching);
    await seesChanges(server, watching);
    expect(server.stats().requests.list).toBe(1);
    expect(server.stats().requests['pods list']).toBe(namespaceCount);
    expect(server.stats().openConnections).toBe(1);
  });

  // undici does not let the open streams finish after a GOAWAY as Go's transport does: it closes the connection, so every
  // watch ends with an error and resumes from its resourceVersion on a new connection, as after a connection loss.
  it('resume every watch on a new connection after a GOAWAY, without listing again', async () => {
    const { server, kubeConfig } = await startTlsServer();
    const watching = watchEverything(kubeConfig);
    await allWatching(server, watching);
    const sessions = server.stats().http2.sessions;
    server.goAway();
    const resumed = () => {
      const stats = server.stats();
      return stats.http2.sessions > sessions && (stats.requests.watch ?? 0) >= 2 && (stats.requests['pods watch'] ?? 0) >= namespaceCount * 2 && (stats.requests['events watch'] ?? 0) >= namespaceCount * 2;
    };
    await waitFor('every watch opened again on a new connection', resumed, 10_000);
    await allWatching(server, watching);
    await seesChanges(server, watching);
    expect(server.stats().requests.list).toBe(1);
    expect(server.stats().requests['pods list']).toBe(namespaceCount);
    expect(server.stats().openConnections).toBe(1);
  });

  it('end only the watch whose stream the server resets; the other streams of the connection go on', async () => {
    const ca = await createCertificateAuthority('reset-ca');
    const serving = await ca.sign({ commonName: 'reset', usage: 'server', hosts: ['127.0.0.1'] });
    const streams = new Map<string, http2.ServerHttp2Stream>();
    const sessions: http2.ServerHttp2Session[] = [];
    const server = http2.createSecureServer({ cert: serving.certPem, key: serving.keyPem, allowHTTP1: true });
    server.on('session', (session) => sessions.push(session));
    server.on('stream', (stream, headers) => {
      stream.on('error', () => undefined);
      const name = new URL(String(headers[':path']), 'https://x').pathname.slice(1);
      streams.set(name, stream);
      stream.respond({ ':status': 200, 'content-type': 'application/json' });
      stream.write(`${JSON.stringify({ type: 'ADDED', object: { metadata: { name } } })}\n`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    stops.push(async () => {
      for (const session of sessions) session.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    const kubeConfig = createKubeConfig({ name: 'reset', url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, caPem: ca.certPem });
    const seen: string[] = [];
    const ended = new Map<string, unknown>();
    for (const name of ['reset', 'kept']) {
      const watch = await openWatch(kubeConfig, `/${name}`, {}, (type, object) => seen.push(`${type} ${(object as { metadata: { name: string } }).metadata.name}`), (error) => ended.set(name, error), { encoding: 'json' });
      stops.push(() => watch.abort());
    }
    await waitFor('both watches streaming', () => seen.includes('ADDED reset') && seen.includes('ADDED kept'), 5_000);
    streams.get('reset')!.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
    // undici ends the body of a response whose stream is reset as if it had ended (done(null), not an error): the
    // watch resumes from its resourceVersion as after the server's timeout.
    await waitFor('the reset watch ended', () => ended.has('reset'), 5_000);
    expect(ended.get('reset')).toBeNull();
    streams.get('kept')!.write(`${JSON.stringify({ type: 'MODIFIED', object: { metadata: { name: 'kept' } } })}\n`);
    await waitFor('the other watch still delivering', () => seen.includes('MODIFIED kept'), 5_000);
    expect(ended.has('kept')).toBe(false);
    // The protocol probe's connection, then one for both watches.
    expect(sessions).toHaveLength(2);
  });

  it('go back to HTTP/1.1 when the server behind the address stops offering h2', async () => {
    const pki = await createPki();
    const first = await startTlsServer({}, pki);
    const watching = watchEverything(first.kubeConfig);
    await allWatching(first.server, watching);
    await first.server.stop();
    const { server } = await startTlsServer({ port: first.server.port, http2: false }, pki);
    await allWatching(server, watching);
    await seesChanges(server, watching);
    expect(server.stats().http2.sessions).toBe(0);
  });

  it('reconnect after the API server restarts (every stream of the connection cut at once)', async () => {
    const { server, kubeConfig } = await startTlsServer();
    const watching = watchEverything(kubeConfig);
    await allWatching(server, watching);
    const sessions = server.stats().http2.sessions;
    await server.restart();
    await allWatching(server, watching);
    await seesChanges(server, watching);
    expect(server.stats().http2.sessions).toBeGreaterThan(sessions);
    expect(server.stats().openConnections).toBe(1);
  });
});

describe('the controller over HTTP/2', () => {
  let db: MigratedDatabase | undefined;
  let controller: Controller | undefined;

  afterEach(async () => {
    await controller?.stop();
    await db?.drop();
    controller = db = undefined;
  });

  async function run(name: string, http2: WatchHttp2 | undefined): Promise<LeaseApiServer> {
    db = await createMigratedDatabase(name);
    const { server, kubeConfig } = await startTlsServer({ leaseCandidateVersions: [] });
    controller = startController(db.url, [{ name: 'h2', source: 'kubeconfig', server: server.url, kubeConfig }], {
      watcher: { ...fastWatcherOptions, ...(http2 ? { http2 } : {}), context: { flushMs: 50, evaluateMs: 100, recheckMs: 200 } },
    });
    await waitFor('a pods and an Events watch in every namespace', () => server.stats().activeContextWatches === namespaceCount * 2 && server.stats().activeWatches === 1, 20_000);
    server.context.put('pods', pod('team-03', 'seen'));
    await waitFor('the pod stored', async () => (await query(db!.url, `SELECT 1 FROM "PodSighting" WHERE pod = 'seen'`)).length === 1, 10_000);
    return server;
  }

  it('holds every watch of a cluster on one connection by default', async () => {
    const server = await run('h2-controller', undefined);
    expect(server.stats().openConnections).toBeLessThanOrEqual(2);
    expect(server.stats().http2.streams).toBeGreaterThan(namespaceCount * 2);
  });

  it('holds a connection per watch with http2: off (LEASETRAIL_WATCH_HTTP2=off)', async () => {
    const server = await run('h2-controller-off', 'off');
    expect(server.stats().http2.sessions).toBe(0);
    expect(server.stats().openConnections).toBeGreaterThan(namespaceCount * 2);
  });
});
