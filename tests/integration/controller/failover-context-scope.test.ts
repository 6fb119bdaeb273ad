import { afterEach, describe, expect, it } from 'vitest';
import type { Controller } from '../../../lib/kube/controller';
import type { ContextScope } from '../../../lib/kube/context-watchers';
import { startFleet, type ElectionProfile, type Fleet } from '../../../lib/sim';
import { createMigratedDatabase, type MigratedDatabase } from '../helpers/database';
import { fastProfile, fastWatcherOptions, query, startController, targetsOf, waitFor } from './support';

// LEASETRAIL_CONTEXT_SCOPE=cluster: one pods and one Events watch per cluster where a ClusterRoleBinding allows
// listing them across namespaces, kept only for the namespaces holding election leases; per namespace otherwise.

let fleet: Fleet | undefined;
let controller: Controller | undefined;
let db: MigratedDatabase | undefined;

afterEach(async () => {
  await controller?.stop();
  await fleet?.stop();
  await db?.drop();
  controller = fleet = db = undefined;
});

const operator: ElectionProfile = { ...fastProfile, component: 'widget-operator', namespace: 'operators', leaseName: 'widgets', releaseOnCancel: false };
const scheduler: ElectionProfile = { ...fastProfile, component: 'kube-scheduler', leaseName: 'kube-scheduler', host: 'control-plane', releaseOnCancel: false };

async function setUp(name: string, scope: ContextScope, before: (fleet: Fleet) => void = () => undefined): Promise<Fleet> {
  db = await createMigratedDatabase(name);
  fleet = await startFleet({ clusters: ['alpha'], leases: [operator, scheduler], candidates: 2, seed: name, restartDelayMs: 300, leaseCandidateVersions: [] });
  before(fleet);
  controller = startController(db.url, targetsOf(fleet), { watcher: { ...fastWatcherOptions, context: { flushMs: 50, evaluateMs: 100, recheckMs: 200, scope, relistDelayMs: 100 } } });
  await waitFor('an operator leader', () => fleet!.leaderOf('alpha', 'operators/widgets'));
  return fleet;
}

const requests = (fleet: Fleet) => fleet.cluster('alpha').apiServer.stats().requests;

// An Event of a namespace without election leases: a cluster-wide watch delivers it, the controller drops it.
function recordElsewhere(fleet: Fleet): void {
  fleet.cluster('alpha').context.recordEvent('web', { kind: 'Lease', name: 'not-elected', apiVersion: 'coordination.k8s.io/v1' }, 'LeaderElection', 'Normal', 'web-1_abc became leader', 'web', 'core');
}

async function storedEvents(): Promise<Array<{ namespace: string; message: string; api: string }>> {
  return query(db!.url, `SELECT namespace, message, api::text FROM "KubeEvent" ORDER BY id`);
}

describe('failover context scope', () => {
  it('cluster: two watches for the whole cluster, keeping only the namespaces of election leases', async () => {
    const fleet = await setUp('ctx-scope-cluster', 'cluster');
    const holder = fleet.leaderOf('alpha', 'operators/widgets')!;
    recordElsewhere(fleet);
    await waitFor('the operator Event stored', async () => (await storedEvents()).some((event) => event.message === `${holder} became leader`));
    await waitFor('two cluster-wide watches open', () => fleet.cluster('alpha').apiServer.stats().activeContextWatches === 2);
    const counts = requests(fleet);
    expect(counts['pods watch (all namespaces)']).toBeGreaterThanOrEqual(1);
    expect(counts['events.k8s.io watch (all namespaces)']).toBeGreaterThanOrEqual(1);
    expect(Object.keys(counts).filter((key) => / watch$/.test(key))).toEqual([]);
    // Pods of both election namespaces, through the one cluster-wide pods watch.
    await waitFor('pods of both namespaces', async () => {
      const rows = await query<{ namespace: string }>(db!.url, `SELECT DISTINCT namespace FROM "PodSighting" ORDER BY namespace`);
      return rows.map((row) => row.namespace).join(',') === 'kube-system,operators';
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await storedEvents()).filter((event) => event.namespace === 'web')).toEqual([]);
    const access = await query<{ resource: string; namespace: string; access: string }>(db!.url, `SELECT resource::text, namespace, access::text FROM "ContextPermission" ORDER BY resource::text, namespace`);
    expect(access).toEqual([
      { resource: 'events_k8s_io', namespace: '*', access: 'granted' },
      { resource: 'leasecandidates', namespace: '*', access: 'absent' },
      { resource: 'pods', namespace: '*', access: 'granted' },
    ]);
  });

  it('cluster, bound per namespace only: the cluster-wide lists are refused, so it watches per namespace', async () => {
    const fleet = await setUp('ctx-scope-refused', 'cluster', (started) => {
      for (const resource of ['pods', 'events', 'events.k8s.io'] as const) started.cluster('alpha').apiServer.context.deny(resource, true, '*');
    });
    const holder = fleet.leaderOf('alpha', 'operators/widgets')!;
    await waitFor('the operator Event stored', async () => (await storedEvents()).some((event) => event.message === `${holder} became leader`));
    await waitFor('pods and Events watched in both namespaces', () => fleet.cluster('alpha').apiServer.stats().activeContextWatches === 4);
    const counts = requests(fleet);
    expect(counts['pods watch']).toBeGreaterThanOrEqual(2);
    expect(counts['pods watch (all namespaces)'] ?? 0).toBe(0);
    expect(counts['pods list (all namespaces)']).toBe(1);
  });

  it('namespaces (default): never asks across namespaces', async () => {
    const fleet = await setUp('ctx-scope-namespaces', 'namespaces');
    const holder = fleet.leaderOf('alpha', 'operators/widgets')!;
    await waitFor('the operator Event stored', async () => (await storedEvents()).some((event) => event.message === `${holder} became leader`));
    await waitFor('pods and Events watched in both namespaces', () => fleet.cluster('alpha').apiServer.stats().activeContextWatches === 4);
    expect(Object.keys(requests(fleet)).filter((key) => key.endsWith('(all namespaces)'))).toEqual([]);
  });
});
