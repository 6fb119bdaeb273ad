import { describe, expect, it } from 'vitest';
import { createManualClock } from '@/lib/sim/clock';
import { LeaseStore, decodeContinueToken } from '@/lib/sim/lease-store';
import { createRandom } from '@/lib/sim/random';
import { ApiError } from '@/lib/sim/status';

function createStore(historySize = 100): LeaseStore {
  return new LeaseStore({ historySize, initialRevision: 500, clock: createManualClock(), random: createRandom('store') });
}

const ctx = { manager: 'test' };

function errorOf(action: () => unknown): ApiError {
  try {
    action();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected an ApiError');
}

function renew(store: LeaseStore, namespace: string, name: string, holder: string): string {
  const current = store.getOrThrow(namespace, name);
  return store.update(namespace, name, { metadata: { name, resourceVersion: current.metadata.resourceVersion }, spec: { ...current.spec, holderIdentity: holder } }, ctx).lease.metadata
    .resourceVersion;
}

describe('LeaseStore writes', () => {
  it('creates leases with server-owned metadata and one shared revision counter', () => {
    const store = createStore();
    const before = store.revision;
    const lease = store.create('apps', { metadata: { name: 'a', uid: 'ignored' }, spec: { holderIdentity: 'x' } }, ctx);
    // The new namespace takes a revision too, as any other object in etcd would.
    expect(Number(lease.metadata.resourceVersion)).toBe(before + 2);
    expect(lease.metadata).toMatchObject({ name: 'a', namespace: 'apps', creationTimestamp: '2025-01-01T00:00:00Z' });
    expect(lease.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(lease.metadata.managedFields?.[0]).toMatchObject({ manager: 'test', operation: 'Update', fieldsV1: { 'f:spec': { 'f:holderIdentity': {} } } });
    expect(errorOf(() => store.create('apps', { metadata: { name: 'a' }, spec: {} }, ctx)).status).toMatchObject({ code: 409, reason: 'AlreadyExists' });
  });

  it('answers a stale resourceVersion with the real Conflict message', () => {
    const store = createStore();
    const created = store.create('ns', { metadata: { name: 'a' }, spec: { holderIdentity: 'x' } }, ctx);
    renew(store, 'ns', 'a', 'y');
    const error = errorOf(() => store.update('ns', 'a', { metadata: { name: 'a', resourceVersion: created.metadata.resourceVersion }, spec: {} }, ctx));
    expect(error.status).toMatchObject({
      code: 409,
      reason: 'Conflict',
      message: 'Operation cannot be fulfilled on leases.coordination.k8s.io "a": the object has been modified; please apply your changes to the latest version and try again',
    });
    expect(errorOf(() => store.update('ns', 'a', { metadata: { name: 'a' }, spec: {} }, ctx)).code).toBe(422);
  });

  it('creates on update (Leases allow it) and skips no-op updates', () => {
    const store = createStore();
    const result = store.update('ns', 'fresh', { metadata: { name: 'fresh', resourceVersion: '1' }, spec: { holderIdentity: 'x' } }, ctx);
    expect(result.created).toBe(true);
    const revision = store.revision;
    const same = store.update('ns', 'fresh', { metadata: { name: 'fresh', resourceVersion: result.lease.metadata.resourceVersion }, spec: { holderIdentity: 'x' } }, ctx);
    expect(same.lease.metadata.resourceVersion).toBe(result.lease.metadata.resourceVersion);
    expect(store.revision).toBe(revision);
  });

  it('checks delete preconditions and stamps the tombstone with the delete revision', () => {
    const store = createStore();
    const lease = store.create('ns', { metadata: { name: 'a' }, spec: {} }, ctx);
    expect(errorOf(() => store.delete('ns', 'a', { uid: 'other' })).code).toBe(409);
    const tombstone = store.delete('ns', 'a', { uid: lease.metadata.uid });
    expect(tombstone.metadata.resourceVersion).toBe(String(store.revision));
    expect(errorOf(() => store.delete('ns', 'a')).status.message).toBe('leases.coordination.k8s.io "a" not found');
  });
});

describe('LeaseStore history', () => {
  it('serves events after a revision and 410 once the ring has dropped them', () => {
    const store = createStore(3);
    store.create('ns', { metadata: { name: 'a' }, spec: {} }, ctx);
    const start = store.revision;
    const revisions = [renew(store, 'ns', 'a', '1'), renew(store, 'ns', 'a', '2')];
    expect((store.eventsSince(start) as Array<{ revision: number }>).map((e) => String(e.revision))).toEqual(revisions);
    renew(store, 'ns', 'a', '3');
    renew(store, 'ns', 'a', '4');
    expect(store.eventsSince(start)).toBe('expired');
    expect(store.eventsSince(store.compactedRevision)).toHaveLength(3);
  });

  it('compaction forgets everything before a new revision', () => {
    const store = createStore();
    store.create('ns', { metadata: { name: 'a' }, spec: {} }, ctx);
    const current = store.revision;
    const compactedAt = store.compact();
    expect(compactedAt).toBeGreaterThan(current);
    expect(store.eventsSince(current)).toBe('expired');
    expect(store.eventsSince(compactedAt)).toEqual([]);
    expect(store.historyLength).toBe(0);
  });
});

describe('LeaseStore list', () => {
  function filledStore(): LeaseStore {
    const store = createStore();
    for (const [ns, name] of [['b', 'x'], ['a', 'y'], ['a', 'x'], ['a-b', 'z']] as const) {
      store.create(ns, { metadata: { name, labels: { ns } }, spec: {} }, ctx);
    }
    return store;
  }

  it('orders by etcd key and pages with a consistent snapshot', () => {
    const store = filledStore();
    const first = store.list({ limit: 2 });
    expect(first.items.map((l) => `${l.metadata.namespace}/${l.metadata.name}`)).toEqual(['a-b/z', 'a/x']);
    expect(first.remainingItemCount).toBe(2);
    renew(store, 'a', 'y', 'changed-after-first-page');
    store.create('c', { metadata: { name: 'late' }, spec: {} }, ctx);
    const second = store.list({ limit: 2, continueToken: first.continueToken! });
    expect(second.resourceVersion).toBe(first.resourceVersion);
    expect(second.items.map((l) => `${l.metadata.namespace}/${l.metadata.name}`)).toEqual(['a/y', 'b/x']);
    expect(second.items[0]!.spec.holderIdentity).toBeUndefined();
    expect(second.continueToken).toBeUndefined();
  });

  it('expires a continue token once its revision is compacted', () => {
    const store = filledStore();
    const first = store.list({ limit: 1 });
    store.compact();
    expect(errorOf(() => store.list({ limit: 1, continueToken: first.continueToken! })).status).toMatchObject({ code: 410, reason: 'Expired' });
    expect(decodeContinueToken(first.continueToken!).revision).toBe(Number(first.resourceVersion));
  });

  it('filters by namespace and selectors, and rejects bad versions', () => {
    const store = filledStore();
    expect(store.list({ namespace: 'a' }).items).toHaveLength(2);
    expect(store.list({ labelSelector: [{ key: 'ns', op: 'in', values: ['b'] }] }).items).toHaveLength(1);
    expect(errorOf(() => store.list({ continueToken: 'garbage' })).code).toBe(400);
    expect(errorOf(() => store.list({ resourceVersion: String(store.revision + 10) })).code).toBe(504);
  });

  it('lists exactly at an older revision from history', () => {
    const store = filledStore();
    const before = String(store.revision);
    renew(store, 'a', 'x', 'later');
    const old = store.list({ resourceVersion: before, resourceVersionMatch: 'Exact', namespace: 'a' });
    expect(old.resourceVersion).toBe(before);
    expect(old.items.find((l) => l.metadata.name === 'x')?.spec.holderIdentity).toBeUndefined();
  });
});
