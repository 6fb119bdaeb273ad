import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CoordinationV1Api, type V1Lease } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { protobufWatchMediaType } from '@/lib/kube/k8s-protobuf';
import { LeaseSource, type SourceRawEvent, type SourceState } from '@/lib/kube/lease-source';
import type { WireEncoding } from '@/lib/kube/watch-stream';
import { parseLease } from '@/lib/leases/parse';
import { loggerFor } from '@/lib/log';
import { LeaseApiServer, type ApiServerOptions } from '@/lib/sim/api-server';
import { createKubeConfig } from '@/lib/sim/kubeconfig';
import { formatMicroTime } from '@/lib/sim/micro-time';
import { waitFor } from './support';

const stops: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function startServer(options: Partial<ApiServerOptions> = {}) {
  const server = new LeaseApiServer({ name: 'wire', bookmarkIntervalMs: 200, ...options });
  await server.start();
  stops.push(() => server.stop());
  return { server, kubeConfig: createKubeConfig({ name: 'wire', url: server.url }) };
}

type Seen = { events: Array<{ type: string; observation: unknown }>; lastVersion: () => string };

// What the controller makes of a cluster's stream: each Lease parsed into an observation (observedAt
// fixed, so two sources compare), in order, from the list and from the watch.
function watchWith(kubeConfig: ReturnType<typeof createKubeConfig>, encoding: WireEncoding): Seen {
  const events: Seen['events'] = [];
  let version = '';
  const observe = (object: unknown) => {
    const parsed = parseLease(object, { cluster: 'wire', observedAt: 0, source: 'watch' });
    return parsed.ok ? parsed.observation : parsed;
  };
  const onEvent = (event: SourceRawEvent) => {
    if (event.type === 'synced') {
      version = event.resourceVersion;
      for (const object of event.objects) events.push({ type: 'listed', observation: observe(object) });
    } else if (event.type === 'ADDED' || event.type === 'MODIFIED' || event.type === 'DELETED') {
      const observation = observe(event.object);
      version = (observation as { resourceVersion?: string }).resourceVersion ?? version;
      events.push({ type: event.type, observation });
    } else if (event.type === 'bookmark') version = event.resourceVersion;
  };
  const source = new LeaseSource({ cluster: 'wire', kubeConfig, log: loggerFor('protobuf-test'), onEvent, onState: () => undefined, encoding, pageSize: 2, watchdogMs: 5_000 });
  const abort = new AbortController();
  const running = source.run(abort.signal);
  stops.push(async () => {
    abort.abort();
    await running;
  });
  return { events, lastVersion: () => version };
}

function lease(name: string, holder: string, renewMs: number, labels?: Record<string, string>): V1Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, ...(labels ? { labels } : {}) },
    spec: { holderIdentity: holder, leaseDurationSeconds: 15, acquireTime: formatMicroTime(renewMs - 5_000) as never, renewTime: formatMicroTime(renewMs + 0.123) as never, leaseTransitions: 1 },
  };
}

describe('protobuf and JSON watches of the same cluster', () => {
  it('give the controller equal observations, and the protobuf one is really protobuf', async () => {
    const { server, kubeConfig } = await startServer();
    const api = kubeConfig.makeApiClient(CoordinationV1Api);
    const base = Date.UTC(2026, 11, 7, 3, 0, 0);
    for (const [index, name] of ['kube-scheduler', 'kube-controller-manager', 'ingress-leader'].entries()) {
      await api.createNamespacedLease({ namespace: index === 2 ? 'ingress' : 'kube-system', body: lease(name, `node-${index}_a1`, base, index === 0 ? { tier: 'control-plane' } : undefined) });
    }
    const json = watchWith(kubeConfig, 'json');
    const protobuf = watchWith(kubeConfig, 'protobuf');
    await waitFor('both lists', () => json.events.length >= 3 && protobuf.events.length >= 3, 10_000);

    for (let step = 1; step <= 5; step += 1) {
      const current = await api.readNamespacedLease({ name: 'kube-scheduler', namespace: 'kube-system' });
      await api.replaceNamespacedLease({ name: 'kube-scheduler', namespace: 'kube-system', body: { ...current, spec: { ...current.spec, renewTime: formatMicroTime(base + step * 2_000 + 0.456) as never } } });
    }
    const other = await api.readNamespacedLease({ name: 'kube-controller-manager', namespace: 'kube-system' });
    await api.replaceNamespacedLease({ name: 'kube-controller-manager', namespace: 'kube-system', body: { ...other, spec: { ...other.spec, holderIdentity: 'node-9_b2', leaseTransitions: 2 } } });
    await api.deleteNamespacedLease({ name: 'ingress-leader', namespace: 'ingress' });
    const released = await api.readNamespacedLease({ name: 'kube-scheduler', namespace: 'kube-system' });
    await api.replaceNamespacedLease({ name: 'kube-scheduler', namespace: 'kube-system', body: { ...released, spec: { leaseDurationSeconds: 15, leaseTransitions: 1 } } });

    const final = String(server.store.revision);
    await waitFor('both watches at the last revision', () => json.lastVersion() === final && protobuf.lastVersion() === final, 10_000);
    expect(json.events.map((event) => event.type)).toEqual(['listed', 'listed', 'listed', 'MODIFIED', 'MODIFIED', 'MODIFIED', 'MODIFIED', 'MODIFIED', 'MODIFIED', 'DELETED', 'MODIFIED']);
    expect(protobuf.events).toEqual(json.events);
    expect(protobuf.events.every((event) => !('ok' in (event.observation as object)))).toBe(true);
    // Both list pages (pageSize 2) and the watch of the protobuf source were answered in protobuf.
    expect(server.stats().requests.protobuf).toBeGreaterThanOrEqual(3);
  });

  it('falls back to JSON with a server that answers JSON to a protobuf request', async () => {
    const { server, kubeConfig } = await startServer({ protobuf: false });
    const api = kubeConfig.makeApiClient(CoordinationV1Api);
    await api.createNamespacedLease({ namespace: 'kube-system', body: lease('kube-scheduler', 'node-0_a1', Date.UTC(2026, 11, 7)) });
    const seen = watchWith(kubeConfig, 'protobuf');
    await waitFor('the list', () => seen.events.length === 1, 10_000);
    const current = await api.readNamespacedLease({ name: 'kube-scheduler', namespace: 'kube-system' });
    await api.replaceNamespacedLease({ name: 'kube-scheduler', namespace: 'kube-system', body: { ...current, spec: { ...current.spec, holderIdentity: 'node-1_b2' } } });
    await waitFor('the change over the watch', () => seen.events.length === 2, 10_000);
    expect(seen.events[1]).toMatchObject({ type: 'MODIFIED', observation: { holderIdentity: 'node-1_b2' } });
    expect(server.stats().requests.protobuf ?? 0).toBe(0);
  });
});

// A proxy in front of the simulated API server that breaks every protobuf watch with a frame that does not
// decode, and passes everything else through; it records what each request accepted.
async function startCorruptingProxy(target: string): Promise<{ url: string; accepts: string[] }> {
  const accepts: string[] = [];
  const proxy = http.createServer((req, res) => {
    accepts.push(`${new URL(req.url ?? '/', target).searchParams.get('watch') === 'true' ? 'watch' : 'list'} ${req.headers.accept ?? ''}`);
    const upstream = http.request(`${target}${req.url ?? '/'}`, { method: req.method, headers: req.headers }, (answer) => {
      const contentType = String(answer.headers['content-type'] ?? '');
      if (contentType.startsWith(protobufWatchMediaType)) {
        answer.destroy();
        res.writeHead(200, { 'Content-Type': contentType });
        // A 6-byte frame of 0xff: a varint that never ends.
        res.end(Buffer.from([0, 0, 0, 6, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]));
        return;
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  stops.push(() => new Promise<void>((resolve) => proxy.close(() => resolve())));
  stops.push(() => void proxy.closeAllConnections());
  return { url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, accepts };
}

describe('protobuf that does not decode', () => {
  it('switches that cluster to JSON and reports a protocol error, not an unreachable cluster', async () => {
    const { server, kubeConfig } = await startServer();
    const api = kubeConfig.makeApiClient(CoordinationV1Api);
    await api.createNamespacedLease({ namespace: 'kube-system', body: lease('kube-scheduler', 'node-0_a1', Date.UTC(2026, 11, 7)) });
    const proxy = await startCorruptingProxy(server.url);
    const states: SourceState[] = [];
    const changes: unknown[] = [];
    const source = new LeaseSource({
      cluster: 'wire',
      kubeConfig: createKubeConfig({ name: 'wire', url: proxy.url }),
      log: loggerFor('protobuf-test'),
      onEvent: (event) => {
        if (event.type === 'MODIFIED') changes.push(event.object);
      },
      onState: (state) => states.push(state),
      backoff: { initialMs: 5, maxMs: 5, jitter: 0 },
      watchdogMs: 5_000,
    });
    const abort = new AbortController();
    const running = source.run(abort.signal);
    stops.push(async () => {
      abort.abort();
      await running;
    });
    await waitFor('a JSON watch after the broken one', () => proxy.accepts.some((accept) => accept === 'watch application/json'), 10_000);
    const current = await api.readNamespacedLease({ name: 'kube-scheduler', namespace: 'kube-system' });
    await api.replaceNamespacedLease({ name: 'kube-scheduler', namespace: 'kube-system', body: { ...current, spec: { ...current.spec, holderIdentity: 'node-1_b2' } } });
    await waitFor('the change over the JSON watch', () => changes.length === 1, 10_000);

    const failures = states.filter((state) => state.state === 'reconnecting');
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ reason: expect.stringMatching(/protobuf answer to watch did not decode/) });
    expect(failures[0]).not.toMatchObject({ reason: expect.stringMatching(/unreachable/) });
    // One protobuf watch, then JSON only: the list before it was protobuf, every request after it JSON.
    const firstJson = proxy.accepts.indexOf('watch application/json');
    expect(proxy.accepts.slice(0, firstJson).filter((accept) => accept.startsWith('watch'))).toHaveLength(1);
    expect(proxy.accepts.slice(firstJson).every((accept) => accept.endsWith(' application/json'))).toBe(true);
  });
});
