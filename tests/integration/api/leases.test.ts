import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET as getLease } from '../../../app/api/leases/[cluster]/[namespace]/[name]/route';
import { GET as listLeasesRoute } from '../../../app/api/leases/route';
import type { LeaseResponse, LeasesResponse } from '../../../lib/api/dto';
import { NotFoundError } from '../../../lib/errors';
import { getLeaseOrThrow, listLeases, type ListLeasesInput } from '../../../lib/store/leases';
import { createMigratedDatabase, type MigratedDatabase } from '../helpers/database';
import { callGet, pointRoutesAtStore } from '../helpers/routes';
import { seedCluster, seedLease } from '../helpers/seed';

let db: MigratedDatabase;
let restoreRoutes: () => void;

beforeAll(async () => {
  db = await createMigratedDatabase('api_leases');
  restoreRoutes = pointRoutesAtStore(db.store);
  const alpha = await seedCluster(db.store, 'alpha');
  const beta = await seedCluster(db.store, 'beta');
  await seedLease(db.store, alpha, {
    namespace: 'kube-system',
    name: 'kube-controller-manager',
    holderIdentity: 'cp-1_6f0c2a7e',
    leaseDurationSeconds: 15,
    acquireTime: new Date('2026-11-24T09:00:00.250Z'),
    renewTime: new Date('2026-11-24T10:00:00.500Z'),
    leaseTransitions: 7,
    observedAt: new Date('2026-11-24T10:00:00.512Z'),
    holderSince: new Date('2026-11-24T09:00:00.250Z'),
    lastCause: 'early_takeover',
    transitionCount: 3,
    missedCount: 4,
    skewSuspectedMs: 1200,
    uid: 'uid-kcm',
    resourceVersion: '12345',
  });
  await seedLease(db.store, alpha, { namespace: 'kube-system', name: 'kube-scheduler', holderIdentity: 'cp-2_aa' });
  await seedLease(db.store, alpha, { namespace: 'kube-system', name: 'apiserver-q5b2', kind: 'apiserver_identity', holderIdentity: 'apiserver-q5b2_1' });
  await seedLease(db.store, alpha, { namespace: 'kube-node-lease', name: 'node-1', kind: 'node_heartbeat', holderIdentity: 'node-1' });
  await seedLease(db.store, alpha, { namespace: 'kube-node-lease', name: 'node-2', kind: 'node_heartbeat', holderIdentity: 'node-2' });
  await seedLease(db.store, beta, { namespace: 'operators', name: 'cert-manager.io', holderIdentity: 'Cert-Manager-7d9f_x' });
  await seedLease(db.store, beta, { namespace: 'kube-system', name: 'kube-controller-manager', holderIdentity: null, deletedAt: new Date('2026-11-24T09:30:00Z') });
});

afterAll(async () => {
  restoreRoutes();
  await db.drop();
});

async function keysOf(input: Partial<ListLeasesInput>): Promise<string[]> {
  const { leases } = await listLeases(db.store, { limit: 100, ...input });
  return leases.map((lease) => `${lease.cluster}/${lease.namespace}/${lease.name}`);
}

describe('listLeases', () => {
  it('lists leadership leases of every cluster by cluster, namespace and name, without node heartbeats', async () => {
    expect(await keysOf({})).toEqual([
      'alpha/kube-system/apiserver-q5b2',
      'alpha/kube-system/kube-controller-manager',
      'alpha/kube-system/kube-scheduler',
      'beta/kube-system/kube-controller-manager',
      'beta/operators/cert-manager.io',
    ]);
  });

  it('lists node heartbeats only when asked for them or for all kinds', async () => {
    expect(await keysOf({ kind: 'node_heartbeat' })).toEqual(['alpha/kube-node-lease/node-1', 'alpha/kube-node-lease/node-2']);
    expect(await keysOf({ kind: 'all' })).toHaveLength(7);
    expect(await keysOf({ kind: 'apiserver_identity' })).toEqual(['alpha/kube-system/apiserver-q5b2']);
    expect(await keysOf({ kind: 'election' })).toEqual([
      'alpha/kube-system/kube-controller-manager',
      'alpha/kube-system/kube-scheduler',
      'beta/kube-system/kube-controller-manager',
      'beta/operators/cert-manager.io',
    ]);
  });

  it('filters by cluster and namespace, together or alone', async () => {
    expect(await keysOf({ cluster: 'beta' })).toEqual(['beta/kube-system/kube-controller-manager', 'beta/operators/cert-manager.io']);
    expect(await keysOf({ namespace: 'operators' })).toEqual(['beta/operators/cert-manager.io']);
    expect(await keysOf({ cluster: 'alpha', namespace: 'kube-node-lease', kind: 'all' })).toEqual(['alpha/kube-node-lease/node-1', 'alpha/kube-node-lease/node-2']);
  });

  it('matches text as a case-insensitive substring of name, namespace or holder', async () => {
    expect(await keysOf({ text: 'SCHED' })).toEqual(['alpha/kube-system/kube-scheduler']);
    expect(await keysOf({ text: 'operat' })).toEqual(['beta/operators/cert-manager.io']);
    expect(await keysOf({ text: 'cert-manager-7D9F' })).toEqual(['beta/operators/cert-manager.io']);
    expect(await keysOf({ text: 'cp-1_6f0c' })).toEqual(['alpha/kube-system/kube-controller-manager']);
    expect(await keysOf({ text: 'node-2', kind: 'all' })).toEqual(['alpha/kube-node-lease/node-2']);
  });

  it('matches every word of the text against name, namespace, holder or cluster', async () => {
    expect(await keysOf({ text: 'BETA cert' })).toEqual(['beta/operators/cert-manager.io']);
    expect(await keysOf({ text: 'alpha sched' })).toEqual(['alpha/kube-system/kube-scheduler']);
    expect(await keysOf({ text: 'beta sched' })).toEqual([]);
  });

  it('takes LIKE wildcards in text literally', async () => {
    expect(await keysOf({ text: '%' })).toEqual([]);
    expect(await keysOf({ text: 'cp-_' })).toEqual([]);
    expect(await keysOf({ text: '\\' })).toEqual([]);
    expect(await keysOf({ text: '_' })).toEqual(['alpha/kube-system/apiserver-q5b2', 'alpha/kube-system/kube-controller-manager', 'alpha/kube-system/kube-scheduler', 'beta/operators/cert-manager.io']);
  });

  it('stops at the limit and says there is more', async () => {
    const page = await listLeases(db.store, { limit: 2 });
    expect(page.leases.map((lease) => lease.name)).toEqual(['apiserver-q5b2', 'kube-controller-manager']);
    expect(page.hasMore).toBe(true);
    expect((await listLeases(db.store, { limit: 5 })).hasMore).toBe(false);
  });

  it('refuses an unknown cluster rather than answering an empty fleet', async () => {
    await expect(listLeases(db.store, { cluster: 'gamma', limit: 10 })).rejects.toThrow(new NotFoundError('cluster gamma not found'));
  });
});

describe('getLeaseOrThrow', () => {
  it('returns the current state of one lease', async () => {
    const lease = await getLeaseOrThrow(db.store, { cluster: 'alpha', namespace: 'kube-system', name: 'kube-controller-manager' });
    expect(lease).toMatchObject({ cluster: 'alpha', holderIdentity: 'cp-1_6f0c2a7e', lastCause: 'early_takeover', leaseTransitions: 7 });
  });

  it('tells apart the same name in two clusters', async () => {
    const lease = await getLeaseOrThrow(db.store, { cluster: 'beta', namespace: 'kube-system', name: 'kube-controller-manager' });
    expect(lease).toMatchObject({ cluster: 'beta', holderIdentity: null, deletedAt: new Date('2026-11-24T09:30:00Z') });
  });

  it('names cluster, namespace and name of a lease it does not know', async () => {
    await expect(getLeaseOrThrow(db.store, { cluster: 'beta', namespace: 'kube-system', name: 'kube-scheduler' })).rejects.toThrow(
      new NotFoundError('lease kube-system/kube-scheduler not found in cluster beta'),
    );
    await expect(getLeaseOrThrow(db.store, { cluster: 'gamma', namespace: 'kube-system', name: 'kube-scheduler' })).rejects.toThrow(
      new NotFoundError('lease kube-system/kube-scheduler not found (no cluster named gamma)'),
    );
  });
});

describe('GET /api/leases', () => {
  it('answers leases with ISO 8601 UTC times and no internal ids', async () => {
    const answer = await callGet<LeasesResponse>(listLeasesRoute, '/api/leases?cluster=alpha&namespace=kube-system&kind=election&text=controller');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      hasMore: false,
      leases: [
        {
          cluster: 'alpha',
          namespace: 'kube-system',
          name: 'kube-controller-manager',
          kind: 'election',
          uid: 'uid-kcm',
          holderIdentity: 'cp-1_6f0c2a7e',
          leaseDurationSeconds: 15,
          acquireTime: '2026-11-24T09:00:00.250Z',
          renewTime: '2026-11-24T10:00:00.500Z',
          leaseTransitions: 7,
          strategy: null,
          preferredHolder: null,
          observedAt: '2026-11-24T10:00:00.512Z',
          holderSince: '2026-11-24T09:00:00.250Z',
          lastCause: 'early_takeover',
          transitionCount: 3,
          missedCount: 4,
          skewSuspectedMs: 1200,
          malformedCount: 0,
          deletedAt: null,
        },
      ],
    });
  });

  it('leaves node heartbeats out unless kind asks for them', async () => {
    const byDefault = await callGet<LeasesResponse>(listLeasesRoute, '/api/leases?cluster=alpha');
    expect(byDefault.body.leases.map((l) => l.kind)).not.toContain('node_heartbeat');
    const heartbeats = await callGet<LeasesResponse>(listLeasesRoute, '/api/leases?kind=node_heartbeat');
    expect(heartbeats.body.leases.map((l) => l.name)).toEqual(['node-1', 'node-2']);
    const all = await callGet<LeasesResponse>(listLeasesRoute, '/api/leases?kind=all&limit=3');
    expect(all.body).toMatchObject({ hasMore: true, leases: [{ name: 'node-1' }, { name: 'node-2' }, { name: 'apiserver-q5b2' }] });
  });

  it('treats empty parameters as absent, as a form sends them', async () => {
    const answer = await callGet<LeasesResponse>(listLeasesRoute, '/api/leases?cluster=&namespace=&kind=&text=');
    expect(answer.status).toBe(200);
    expect(answer.body.leases).toHaveLength(5);
  });

  it.each([
    ['kind=bogus', 'invalid kind: must be one of election, node_heartbeat, apiserver_identity, all'],
    ['namespace=Kube-System', 'invalid namespace: must be a Kubernetes namespace name: lowercase letters, digits and "-", starting and ending with a letter or digit'],
    [`text=${'x'.repeat(201)}`, 'invalid text: must be at most 200 characters'],
    ['limit=0', 'invalid limit: must be a whole number from 1 to 10000'],
    ['limit=ten', 'invalid limit: must be a whole number from 1 to 10000'],
    ['limit=10001', 'invalid limit: must be a whole number from 1 to 10000'],
    ['kind=election&kind=all', 'invalid kind: given more than once'],
    ['clustr=alpha', 'unknown query parameter clustr (accepted: cluster, namespace, kind, text, limit)'],
    ['from=2026-11-24T00:00:00Z&sort=name', 'unknown query parameters from, sort (accepted: cluster, namespace, kind, text, limit)'],
  ])('answers 400 to ?%s', async (query, error) => {
    const answer = await callGet<{ error: string; issues: unknown[] }>(listLeasesRoute, `/api/leases?${query}`);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe(error);
    expect(answer.body.issues.length).toBeGreaterThan(0);
  });

  it('answers 404 to a cluster filter naming no cluster', async () => {
    const answer = await callGet(listLeasesRoute, '/api/leases?cluster=gamma');
    expect(answer).toMatchObject({ status: 404, body: { error: 'cluster gamma not found' } });
  });
});

describe('GET /api/leases/{cluster}/{namespace}/{name}', () => {
  it('answers the lease', async () => {
    const answer = await callGet<LeaseResponse>(getLease, '/api/leases/beta/operators/cert-manager.io', { cluster: 'beta', namespace: 'operators', name: 'cert-manager.io' });
    expect(answer.status).toBe(200);
    expect(answer.body.lease).toMatchObject({ cluster: 'beta', namespace: 'operators', name: 'cert-manager.io', holderIdentity: 'Cert-Manager-7d9f_x', observedAt: '2026-11-24T00:00:00.000Z' });
    expect(answer.body.lease).not.toHaveProperty('id');
  });

  it('answers 404 naming the lease and cluster', async () => {
    const answer = await callGet(getLease, '/api/leases/beta/kube-system/x', { cluster: 'beta', namespace: 'kube-system', name: 'x' });
    expect(answer).toEqual({ status: 404, headers: expect.any(Headers), body: { error: 'lease kube-system/x not found in cluster beta' } });
  });

  it('answers 400 to a name Kubernetes would never accept, and to query parameters', async () => {
    const badName = await callGet<{ error: string }>(getLease, '/api/leases/beta/kube-system/Bad_Name', { cluster: 'beta', namespace: 'kube-system', name: 'Bad_Name' });
    expect(badName.status).toBe(400);
    expect(badName.body.error).toMatch(/^invalid name: must be a Kubernetes object name/);
    const withQuery = await callGet<{ error: string }>(getLease, '/api/leases/beta/operators/cert-manager.io?from=x', { cluster: 'beta', namespace: 'operators', name: 'cert-manager.io' });
    expect(withQuery).toMatchObject({ status: 400, body: { error: 'unknown query parameter from (this endpoint takes none)' } });
  });
});
