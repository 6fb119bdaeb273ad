import { CoordinationV1Api, type V1Lease } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import type { WireEncoding } from '@/lib/kube/watch-stream';
import { LeaseApiServer } from '@/lib/sim/api-server';
import { createKubeConfig } from '@/lib/sim/kubeconfig';
import { formatMicroTime } from '@/lib/sim/micro-time';
import { createMigratedDatabase } from '../helpers/database';
import { query, startController, waitFor } from './support';

const stops: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

function lease(name: string, labels?: Record<string, string>): V1Lease {
  const now = Date.now();
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, ...(labels ? { labels } : {}) },
    spec: { holderIdentity: 'pod-a_1', leaseDurationSeconds: 15, acquireTime: formatMicroTime(now) as never, renewTime: formatMicroTime(now) as never, leaseTransitions: 0 },
  };
}

async function storedLabels(url: string): Promise<Record<string, Record<string, string>>> {
  const rows = await query<{ name: string; labels: Record<string, string> }>(url, `SELECT name, labels FROM "Lease" ORDER BY name`);
  return Object.fromEntries(rows.map((row) => [row.name, row.labels]));
}

describe.each<WireEncoding>(['json', 'protobuf'])('the controller watching in %s', (encoding) => {
  it('stores each Lease’s labels when listed and when they change, with a renewal or alone', { timeout: 60_000 }, async () => {
    const db = await createMigratedDatabase(`labels_${encoding}`);
    stops.push(db.drop);
    const server = new LeaseApiServer({ name: 'labels', bookmarkIntervalMs: 200 });
    await server.start();
    stops.push(() => server.stop());
    const kubeConfig = createKubeConfig({ name: 'labels', url: server.url });
    const api = kubeConfig.makeApiClient(CoordinationV1Api);
    await api.createNamespacedLease({ namespace: 'kube-system', body: lease('kube-scheduler', { tier: 'control-plane', 'app.kubernetes.io/name': 'kube-scheduler' }) });
    await api.createNamespacedLease({ namespace: 'kube-system', body: lease('plain') });

    const controller = startController(db.url, [{ name: 'labels', source: 'simulated', server: server.url, kubeConfig }], {
      watcher: { flushIntervalMs: 20, standbyRetryMs: 200, readTimeoutMs: 1_000, reflector: { encoding, backoff: { initialMs: 50, maxMs: 500 }, watchdogMs: 3_000, minHealthyWatchMs: 100 } },
    });
    stops.push(() => controller.stop());

    await waitFor('the listed labels stored', async () => {
      const labels = await storedLabels(db.url);
      return labels['kube-scheduler']?.tier === 'control-plane' ? labels : undefined;
    });
    expect(await storedLabels(db.url)).toEqual({ 'kube-scheduler': { tier: 'control-plane', 'app.kubernetes.io/name': 'kube-scheduler' }, plain: {} });

    // A label change that arrives with a renewal (only renewTime moved otherwise) is not a renewal only: the row is
    // rewritten. So is a label added alone to an unlabelled lease.
    const scheduler = await api.readNamespacedLease({ name: 'kube-scheduler', namespace: 'kube-system' });
    const renewed = { ...scheduler.spec, renewTime: formatMicroTime(Date.now() + 1_000) as never };
    await api.replaceNamespacedLease({ name: 'kube-scheduler', namespace: 'kube-system', body: { ...scheduler, metadata: { ...scheduler.metadata, labels: { tier: 'data' } }, spec: renewed } });
    const plain = await api.readNamespacedLease({ name: 'plain', namespace: 'kube-system' });
    await api.replaceNamespacedLease({ name: 'plain', namespace: 'kube-system', body: { ...plain, metadata: { ...plain.metadata, labels: { team: 'edge' } } } });
    await waitFor('the changed labels stored', async () => {
      const labels = await storedLabels(db.url);
      return labels['kube-scheduler']?.tier === 'data' && labels.plain?.team === 'edge' ? labels : undefined;
    });
    expect(await storedLabels(db.url)).toEqual({ 'kube-scheduler': { tier: 'data' }, plain: { team: 'edge' } });
    if (encoding === 'protobuf') expect(server.stats().requests.protobuf).toBeGreaterThanOrEqual(2);
  });
});
