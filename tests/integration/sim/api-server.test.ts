import { ApiException, CoordinationV1Api, PatchStrategy, setHeaderOptions, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LeaseApiServer } from '@/lib/sim/api-server';
import { openWatch, startApiServer, waitFor, type WatchHandle } from './support';

let server: LeaseApiServer;
let kubeConfig: KubeConfig;
let api: CoordinationV1Api;
const watches: WatchHandle[] = [];

beforeEach(async () => {
  ({ server, kubeConfig } = await startApiServer({ bookmarkIntervalMs: 100, historySize: 50, initialResourceVersion: 41_000 }));
  api = kubeConfig.makeApiClient(CoordinationV1Api);
});

afterEach(async () => {
  for (const watch of watches.splice(0)) watch.stop();
  await server.stop();
});

async function watch(path: string, params: Record<string, string | number | boolean>): Promise<WatchHandle> {
  const handle = await openWatch(kubeConfig, path, params);
  watches.push(handle);
  return handle;
}

function lease(name: string, spec: V1Lease['spec'] = {}, labels?: Record<string, string>): V1Lease {
  return { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, ...(labels ? { labels } : {}) }, spec };
}

async function apiError(action: () => Promise<unknown>): Promise<{ code: number; body: { reason?: string; message?: string; details?: { causes?: Array<{ field?: string }> } } }> {
  try {
    await action();
  } catch (error) {
    if (error instanceof ApiException) return { code: error.code, body: (typeof error.body === 'string' ? JSON.parse(error.body) : error.body) as never };
    throw error;
  }
  throw new Error('expected the call to fail');
}

async function renew(namespace: string, name: string, holder: string): Promise<V1Lease> {
  const current = await api.readNamespacedLease({ name, namespace });
  return api.replaceNamespacedLease({ name, namespace, body: { ...current, spec: { ...current.spec, holderIdentity: holder } } });
}

describe('Lease CRUD through client-node', () => {
  it('creates with server-owned metadata and answers errors with Status objects', async () => {
    const created = await api.createNamespacedLease({ namespace: 'kube-system', body: lease('kube-scheduler', { holderIdentity: 'a', leaseDurationSeconds: 15, leaseTransitions: 0 }) });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.resourceVersion).toMatch(/^\d+$/);
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);

    const exists = await apiError(() => api.createNamespacedLease({ namespace: 'kube-system', body: lease('kube-scheduler') }));
    expect(exists).toMatchObject({ code: 409, body: { reason: 'AlreadyExists', message: 'leases.coordination.k8s.io "kube-scheduler" already exists' } });

    const missing = await apiError(() => api.readNamespacedLease({ name: 'nope', namespace: 'kube-system' }));
    expect(missing).toMatchObject({ code: 404, body: { reason: 'NotFound', message: 'leases.coordination.k8s.io "nope" not found' } });

    const invalid = await apiError(() => api.createNamespacedLease({ namespace: 'kube-system', body: lease('bad', { leaseDurationSeconds: 0 }) }));
    expect(invalid.code).toBe(422);
    expect(invalid.body.reason).toBe('Invalid');
    expect(invalid.body.message).toBe('Lease.coordination.k8s.io "bad" is invalid: spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0');
    expect(invalid.body.details?.causes?.[0]?.field).toBe('spec.leaseDurationSeconds');
  });

  it('rejects an update carrying a stale resourceVersion with 409 Conflict', async () => {
    const created = await api.createNamespacedLease({ namespace: 'default', body: lease('lock', { holderIdentity: 'a' }) });
    await renew('default', 'lock', 'b');
    const stale = await apiError(() => api.replaceNamespacedLease({ name: 'lock', namespace: 'default', body: { ...created, spec: { holderIdentity: 'c' } } }));
    expect(stale).toMatchObject({
      code: 409,
      body: {
        reason: 'Conflict',
        message: 'Operation cannot be fulfilled on leases.coordination.k8s.io "lock": the object has been modified; please apply your changes to the latest version and try again',
      },
    });
    expect((await api.readNamespacedLease({ name: 'lock', namespace: 'default' })).spec?.holderIdentity).toBe('b');
  });

  it('applies a JSON merge patch and deletes', async () => {
    await api.createNamespacedLease({ namespace: 'default', body: lease('lock', { holderIdentity: 'a', leaseDurationSeconds: 15 }, { app: 'x' }) });
    const patched = await api.patchNamespacedLease(
      { name: 'lock', namespace: 'default', body: { metadata: { labels: { app: null, team: 'sre' } }, spec: { holderIdentity: 'b' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(patched.metadata?.labels).toEqual({ team: 'sre' });
    expect(patched.spec).toMatchObject({ holderIdentity: 'b', leaseDurationSeconds: 15 });
    const status = await api.deleteNamespacedLease({ name: 'lock', namespace: 'default' });
    expect(status).toMatchObject({ status: 'Success', details: { name: 'lock', kind: 'leases' } });
    expect((await apiError(() => api.readNamespacedLease({ name: 'lock', namespace: 'default' }))).code).toBe(404);
  });

  it('stores MicroTime with microseconds in UTC', async () => {
    const response = await fetch(`${server.url}/apis/coordination.k8s.io/v1/namespaces/default/leases`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(lease('micro', { holderIdentity: 'a', renewTime: '2025-06-01T14:00:00.123456+02:00' as unknown as Date })),
    });
    expect(response.status).toBe(201);
    const raw = (await (await fetch(`${server.url}/apis/coordination.k8s.io/v1/namespaces/default/leases/micro`)).json()) as { spec: { renewTime: string } };
    expect(raw.spec.renewTime).toBe('2025-06-01T12:00:00.123456Z');
  });
});

describe('list', () => {
  beforeEach(async () => {
    for (const [namespace, name, team] of [
      ['kube-system', 'kube-controller-manager', 'core'],
      ['kube-system', 'kube-scheduler', 'core'],
      ['cert-manager', 'cert-manager-controller', 'edge'],
      ['default', 'my-lock', 'edge'],
      ['kube-node-lease', 'node-1', 'nodes'],
    ] as const) {
      await api.createNamespacedLease({ namespace, body: lease(name, { holderIdentity: name }, { team }) });
    }
  });

  it('pages cluster-wide with limit and continue over one consistent resourceVersion', async () => {
    const first = await api.listLeaseForAllNamespaces({ limit: 2 });
    expect(first.items.map((item) => item.metadata?.name)).toEqual(['cert-manager-controller', 'my-lock']);
    expect(first.metadata?.remainingItemCount).toBe(3);
    await renew('kube-system', 'kube-scheduler', 'someone-else');
    const rest: V1Lease[] = [];
    let token = first.metadata?._continue;
    while (token) {
      const page = await api.listLeaseForAllNamespaces({ limit: 2, _continue: token });
      expect(page.metadata?.resourceVersion).toBe(first.metadata?.resourceVersion);
      rest.push(...page.items);
      token = page.metadata?._continue;
    }
    expect(rest.map((item) => item.metadata?.name)).toEqual(['node-1', 'kube-controller-manager', 'kube-scheduler']);
    expect(rest[2]?.spec?.holderIdentity).toBe('kube-scheduler');
  });

  it('filters by namespace, labelSelector and fieldSelector', async () => {
    const system = await api.listNamespacedLease({ namespace: 'kube-system' });
    expect(system.items).toHaveLength(2);
    expect(system.metadata?.resourceVersion).toBe(String(server.store.revision));
    const edge = await api.listLeaseForAllNamespaces({ labelSelector: 'team in (edge),team!=core' });
    expect(edge.items.map((item) => item.metadata?.name).sort()).toEqual(['cert-manager-controller', 'my-lock']);
    const byName = await api.listLeaseForAllNamespaces({ fieldSelector: 'metadata.name=kube-scheduler' });
    expect(byName.items.map((item) => `${item.metadata?.namespace}/${item.metadata?.name}`)).toEqual(['kube-system/kube-scheduler']);
    expect((await apiError(() => api.listLeaseForAllNamespaces({ fieldSelector: 'spec.holderIdentity=x' }))).code).toBe(400);
  });

  it('renders a Table for kubectl', async () => {
    const response = await fetch(`${server.url}/apis/coordination.k8s.io/v1/namespaces/kube-system/leases`, {
      headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' },
    });
    const table = (await response.json()) as { kind: string; columnDefinitions: Array<{ name: string }>; rows: Array<{ cells: string[]; object: { kind: string } }> };
    expect(table.kind).toBe('Table');
    expect(table.columnDefinitions.map((column) => column.name)).toEqual(['Name', 'Holder', 'Age']);
    expect(table.rows.map((row) => row.cells.slice(0, 2))).toEqual([
      ['kube-controller-manager', 'kube-controller-manager'],
      ['kube-scheduler', 'kube-scheduler'],
    ]);
    expect(table.rows[0]?.object.kind).toBe('PartialObjectMetadata');
  });
});

describe('watch', () => {
  const path = '/apis/coordination.k8s.io/v1/leases';

  it('replays from a resourceVersion, then streams live events in order', async () => {
    await api.createNamespacedLease({ namespace: 'default', body: lease('lock', { holderIdentity: 'a' }) });
    const listed = await api.listLeaseForAllNamespaces();
    const from = listed.metadata!.resourceVersion!;
    const second = await renew('default', 'lock', 'b');
    const handle = await watch(path, { resourceVersion: from });
    await waitFor(() => handle.events.length >= 1, 2_000, 'the replayed event');
    const third = await renew('default', 'lock', 'c');
    await api.deleteNamespacedLease({ name: 'lock', namespace: 'default' });
    await waitFor(() => handle.events.length >= 3, 2_000, 'live events');
    expect(handle.events.map((event) => [event.type, event.object.spec?.holderIdentity])).toEqual([
      ['MODIFIED', 'b'],
      ['MODIFIED', 'c'],
      ['DELETED', 'c'],
    ]);
    expect(handle.events[0]!.object.metadata?.resourceVersion).toBe(second.metadata?.resourceVersion);
    expect(handle.events[1]!.object.metadata?.resourceVersion).toBe(third.metadata?.resourceVersion);
  });

  it('starts with ADDED events for the current state when no resourceVersion is given', async () => {
    await api.createNamespacedLease({ namespace: 'a', body: lease('one') });
    await api.createNamespacedLease({ namespace: 'b', body: lease('two') });
    const handle = await watch(path, {});
    await waitFor(() => handle.events.length === 2, 2_000, 'initial events');
    expect(handle.events.map((event) => [event.type, event.object.metadata?.name])).toEqual([
      ['ADDED', 'one'],
      ['ADDED', 'two'],
    ]);
  });

  it('turns a modification that leaves the selector into DELETED', async () => {
    await api.createNamespacedLease({ namespace: 'default', body: lease('lock', {}, { tier: 'gold' }) });
    const handle = await watch(path, { labelSelector: 'tier=gold', resourceVersion: String(server.store.revision) });
    await api.patchNamespacedLease(
      { name: 'lock', namespace: 'default', body: { metadata: { labels: { tier: 'silver' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await waitFor(() => handle.events.length === 1, 2_000, 'the DELETED event');
    expect(handle.events[0]).toMatchObject({ type: 'DELETED', object: { metadata: { name: 'lock', resourceVersion: String(server.store.revision) } } });
  });

  it('sends bookmarks with the current resourceVersion when allowed', async () => {
    await api.createNamespacedLease({ namespace: 'default', body: lease('lock') });
    const handle = await watch(path, { allowWatchBookmarks: true, resourceVersion: String(server.store.revision) });
    const bookmark = await waitFor(() => handle.events.find((event) => event.type === 'BOOKMARK'), 2_000, 'a bookmark');
    expect(bookmark.object.kind).toBe('Lease');
    expect(bookmark.object.metadata?.resourceVersion).toBe(String(server.store.revision));
    const quiet = await watch(path, { resourceVersion: String(server.store.revision) });
    await waitFor(() => handle.events.filter((event) => event.type === 'BOOKMARK').length >= 3, 2_000, 'more bookmarks');
    expect(quiet.events).toEqual([]);
  });

  it('ends the watch after timeoutSeconds', async () => {
    const started = performance.now();
    const handle = await watch(path, { timeoutSeconds: 1, allowWatchBookmarks: true });
    expect(await handle.ended).toBeNull();
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(2_000);
    expect(handle.events.at(-1)?.type).toBe('BOOKMARK');
  });

  it('answers a watch from a compacted version with an ERROR 410 Expired event', async () => {
    await api.createNamespacedLease({ namespace: 'default', body: lease('lock') });
    const old = String(server.store.revision);
    await renew('default', 'lock', 'x');
    const open = await watch(path, { resourceVersion: old });
    await waitFor(() => open.events.length === 1, 2_000, 'the replayed event');
    server.compactHistory();
    await open.ended;
    expect(open.events.at(-1)).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });

    const late = await watch(path, { resourceVersion: old });
    await late.ended;
    expect(late.events).toHaveLength(1);
    expect(late.events[0]).toMatchObject({ type: 'ERROR', object: { code: 410, reason: 'Expired' } });
    expect((late.events[0]!.object as { message?: string }).message).toMatch(/^too old resource version: \d+ \(\d+\)$/);
  });

  it('forgets history when it falls out of the ring', async () => {
    await api.createNamespacedLease({ namespace: 'default', body: lease('lock') });
    const old = String(server.store.revision);
    for (let i = 0; i < 55; i++) await renew('default', 'lock', `h${i}`);
    const late = await watch(path, { resourceVersion: old });
    await late.ended;
    expect(late.events[0]).toMatchObject({ type: 'ERROR', object: { code: 410 } });
  });

  it('drops every watch when the API server restarts, and serves again on the same URL', async () => {
    await api.createNamespacedLease({ namespace: 'default', body: lease('lock') });
    const before = String(server.store.revision);
    const url = server.url;
    const handle = await watch(path, { resourceVersion: before });
    await renew('default', 'lock', 'before-restart');
    await waitFor(() => handle.events.length === 1, 2_000, 'the renewal');
    await server.restart({ downtimeMs: 50 });
    expect(await handle.ended).toBeInstanceOf(Error);
    expect(server.url).toBe(url);
    await renew('default', 'lock', 'after-restart');
    // The restarted server's watch cache starts at its current revision: older versions are gone.
    const resumed = await watch(path, { resourceVersion: before });
    await resumed.ended;
    expect(resumed.events[0]).toMatchObject({ type: 'ERROR', object: { code: 410 } });
  });
});

describe('discovery', () => {
  async function getJson(path: string): Promise<Record<string, unknown>> {
    const response = await fetch(`${server.url}${path}`);
    expect(response.status).toBe(200);
    return (await response.json()) as Record<string, unknown>;
  }

  it('serves /version, /api, /apis and the coordination and events groups', async () => {
    expect(await getJson('/version')).toMatchObject({ major: '1', gitVersion: expect.stringMatching(/^v1\./) });
    expect(await getJson('/api')).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    expect(((await getJson('/api/v1')) as { resources: unknown[] }).resources.length).toBeGreaterThan(0);
    // Every group the server serves, as a real API server lists them: Leases, and the Events view of the one Event store.
    const groups = (await getJson('/apis')) as { kind: string; groups: Array<{ name: string; preferredVersion: { groupVersion: string } }> };
    expect(groups.kind).toBe('APIGroupList');
    expect(groups.groups.map((group) => [group.name, group.preferredVersion.groupVersion])).toEqual([
      ['coordination.k8s.io', 'coordination.k8s.io/v1'],
      ['events.k8s.io', 'events.k8s.io/v1'],
    ]);
    expect(await getJson('/apis/coordination.k8s.io/v1')).toMatchObject({
      resources: [{ name: 'leases', namespaced: true, kind: 'Lease', verbs: expect.arrayContaining(['list', 'watch', 'update', 'patch']) }],
    });
  });

  it('serves OpenAPI v3 documents at their advertised URLs', async () => {
    const root = (await getJson('/openapi/v3')) as { paths: Record<string, { serverRelativeURL: string }> };
    const document = await getJson(root.paths['apis/coordination.k8s.io/v1']!.serverRelativeURL);
    expect(document).toMatchObject({ openapi: '3.0.0', components: { schemas: { 'io.k8s.api.coordination.v1.Lease': expect.any(Object) } } });
  });

  it('answers unknown paths with a 404 Status', async () => {
    const response = await fetch(`${server.url}/apis/apps/v1/deployments`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ kind: 'Status', reason: 'NotFound' });
  });
});
