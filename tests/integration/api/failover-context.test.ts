import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET as getContext } from '../../../app/api/leases/[cluster]/[namespace]/[name]/context/route';
import { GET as getHints } from '../../../app/api/failover-hints/route';
import { GET as getNodes } from '../../../app/api/nodes/route';
import type { LeaseContextDto } from '../../../lib/api/context-dto';
import { createMigratedDatabase, type MigratedDatabase } from '../helpers/database';
import { callGet, pointRoutesAtStore } from '../helpers/routes';
import { seedCluster, seedLease } from '../helpers/seed';

let db: MigratedDatabase;
let restoreRoutes: () => void;

beforeAll(async () => {
  db = await createMigratedDatabase('api_context');
  restoreRoutes = pointRoutesAtStore(db.store);
  const prod = await seedCluster(db.store, 'prod');
  await seedLease(db.store, prod, { namespace: 'kube-system', name: 'kube-scheduler' });
  await db.store.prisma.contextPermission.create({ data: { clusterId: prod.id, resource: 'pods', access: 'denied', detail: 'pods is forbidden', checkedAt: new Date() } });
});

afterAll(async () => {
  restoreRoutes();
  await db.drop();
});

const params = { cluster: 'prod', namespace: 'kube-system', name: 'kube-scheduler' };

describe('failover context API', () => {
  it('answers an empty context for a lease without evidence, with what access is missing', async () => {
    const answer = await callGet<LeaseContextDto>(getContext, '/api/leases/prod/kube-system/kube-scheduler/context', params);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ failovers: [], events: [], candidates: [], bands: [], strategy: null, preferredHolder: null });
    expect(answer.body.access).toEqual([expect.objectContaining({ resource: 'pods', access: 'denied', detail: 'pods is forbidden' })]);
  });

  it.each([
    ['/api/leases/prod/kube-system/nothing/context', { ...params, name: 'nothing' }, 404, /^lease kube-system\/nothing not found in cluster prod$/],
    ['/api/leases/prod/kube-system/kube-scheduler/context?from=yesterday', params, 400, /^invalid from/],
    ['/api/leases/prod/kube-system/kube-scheduler/context?bogus=1', params, 400, /^unknown query parameter bogus/],
  ])('refuses %s', async (url, routeParams, status, message) => {
    const answer = await callGet<{ error: string }>(getContext, url, routeParams);
    expect(answer.status).toBe(status);
    expect(answer.body.error).toMatch(message);
  });

  it.each([
    ['/api/failover-hints', /^invalid ids: is required/],
    ['/api/failover-hints?ids=1,x', /^invalid ids: must be comma-separated failover ids/],
    ['/api/failover-hints?ids=99999999999999999999', /^invalid ids/],
    [`/api/failover-hints?ids=${Array.from({ length: 201 }, (_, i) => i + 1).join(',')}`, /^invalid ids: must name at most 200 failovers/],
    ['/api/nodes', /^invalid cluster/],
    ['/api/nodes?cluster=prod&grace=5', /^invalid grace: must be a whole number of seconds from 10 to 600/],
    ['/api/nodes?cluster=prod&grace=40&near=40', /^invalid near: must be less than grace/],
    ['/api/nodes?cluster=prod&from=2020-01-01T00:00:00Z', /^invalid from: must be at most 7 days before to/],
  ])('answers 400 to %s', async (url, message) => {
    const answer = await callGet<{ error: string }>(url.startsWith('/api/nodes') ? getNodes : getHints, url);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatch(message);
  });

  it('answers hints only for failovers that exist, and an empty Nodes view for a cluster without node leases', async () => {
    expect((await callGet(getHints, '/api/failover-hints?ids=1,2')).body).toEqual({ hints: [] });
    const nodes = await callGet<{ totalNodes: number; nodes: unknown[] }>(getNodes, '/api/nodes?cluster=prod');
    expect(nodes.status).toBe(200);
    expect(nodes.body).toMatchObject({ totalNodes: 0, nodes: [] });
    expect((await callGet(getNodes, '/api/nodes?cluster=nowhere')).status).toBe(404);
  });
});
