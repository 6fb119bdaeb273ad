import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET } from '../../../app/api/clusters/route';
import type { ClustersResponse } from '../../../lib/api/dto';
import { NotFoundError } from '../../../lib/errors';
import { getClusterIdOrThrow, listClusters } from '../../../lib/store/clusters';
import { createMigratedDatabase, type MigratedDatabase } from '../helpers/database';
import { callGet, pointRoutesAtStore } from '../helpers/routes';
import { seedCluster, seedLease } from '../helpers/seed';

let db: MigratedDatabase;
let restoreRoutes: () => void;

beforeAll(async () => {
  db = await createMigratedDatabase('api_clusters');
  restoreRoutes = pointRoutesAtStore(db.store);
  const prod = await seedCluster(db.store, 'prod', {
    source: 'kubeconfig',
    server: 'https://prod.example:6443',
    state: 'connected',
    connectedAt: new Date('2026-11-24T08:00:00.123Z'),
    lastEventAt: new Date('2026-11-24T09:59:58Z'),
    lastSeenAt: new Date('2026-11-24T10:00:00Z'),
    ownerInstance: 'cp-host-4242-a1b2c3',
    ownerSince: new Date('2026-11-24T08:00:00Z'),
  });
  await seedCluster(db.store, 'edge', {
    source: 'in_cluster',
    state: 'failing',
    stateReason: 'Unauthorized: token expired',
    attempt: 4,
    nextRetryAt: new Date('2026-11-24T10:00:30Z'),
  });
  await seedLease(db.store, prod, { namespace: 'kube-system', name: 'kube-controller-manager' });
  await seedLease(db.store, prod, { namespace: 'kube-system', name: 'kube-scheduler' });
  await seedLease(db.store, prod, { namespace: 'kube-node-lease', name: 'node-1', kind: 'node_heartbeat' });
  await seedLease(db.store, prod, { namespace: 'kube-system', name: 'apiserver-abc', kind: 'apiserver_identity' });
});

afterAll(async () => {
  restoreRoutes();
  await db.drop();
});

describe('listClusters', () => {
  it('returns every cluster by name with its connection state and lease counts per kind', async () => {
    const clusters = await listClusters(db.store);
    expect(clusters).toEqual([
      {
        name: 'edge',
        source: 'in_cluster',
        server: null,
        state: 'failing',
        stateReason: 'Unauthorized: token expired',
        attempt: 4,
        nextRetryAt: new Date('2026-11-24T10:00:30Z'),
        lastEventAt: null,
        lastSeenAt: null,
        connectedAt: null,
        ownerInstance: null,
        ownerSince: null,
        leaseCount: 0,
        leaseCountByKind: { election: 0, node_heartbeat: 0, apiserver_identity: 0 },
      },
      {
        name: 'prod',
        source: 'kubeconfig',
        server: 'https://prod.example:6443',
        state: 'connected',
        stateReason: null,
        attempt: 0,
        nextRetryAt: null,
        lastEventAt: new Date('2026-11-24T09:59:58Z'),
        lastSeenAt: new Date('2026-11-24T10:00:00Z'),
        connectedAt: new Date('2026-11-24T08:00:00.123Z'),
        ownerInstance: 'cp-host-4242-a1b2c3',
        ownerSince: new Date('2026-11-24T08:00:00Z'),
        leaseCount: 4,
        leaseCountByKind: { election: 2, node_heartbeat: 1, apiserver_identity: 1 },
      },
    ]);
  });

  it('resolves a cluster name to its id, or says which cluster is unknown', async () => {
    expect(await getClusterIdOrThrow(db.store, 'prod')).toEqual(expect.any(Number));
    await expect(getClusterIdOrThrow(db.store, 'staging')).rejects.toThrow(new NotFoundError('cluster staging not found'));
  });
});

describe('GET /api/clusters', () => {
  it('answers the clusters with ISO 8601 UTC times, uncached', async () => {
    const answer = await callGet<ClustersResponse>(GET, '/api/clusters');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.body.clusters.map((c) => c.name)).toEqual(['edge', 'prod']);
    expect(answer.body.clusters[1]).toEqual({
      name: 'prod',
      source: 'kubeconfig',
      server: 'https://prod.example:6443',
      state: 'connected',
      stateReason: null,
      attempt: 0,
      nextRetryAt: null,
      lastEventAt: '2026-11-24T09:59:58.000Z',
      lastSeenAt: '2026-11-24T10:00:00.000Z',
      connectedAt: '2026-11-24T08:00:00.123Z',
      ownerInstance: 'cp-host-4242-a1b2c3',
      ownerSince: '2026-11-24T08:00:00.000Z',
      leaseCount: 4,
      leaseCountByKind: { election: 2, node_heartbeat: 1, apiserver_identity: 1 },
    });
    expect(answer.body.clusters[0]).toMatchObject({ state: 'failing', attempt: 4, nextRetryAt: '2026-11-24T10:00:30.000Z' });
  });

  it('refuses query parameters it does not take, naming them', async () => {
    const answer = await callGet(GET, '/api/clusters?state=failing');
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      error: 'unknown query parameter state (this endpoint takes none)',
      issues: [{ path: 'state', message: 'unknown query parameter' }],
    });
  });
});
