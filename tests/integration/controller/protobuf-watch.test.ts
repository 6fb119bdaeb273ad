import { CoordinationV1Api, type V1Lease } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { LeaseSource, type SourceRawEvent } from '@/lib/kube/lease-source';
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
