import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClusterTarget } from '../../../lib/kube/cluster-sources';
import type { Controller } from '../../../lib/kube/controller';
import { findFreePort } from '../../../lib/store/embedded-postgres';
import { startFleet, type Fleet } from '../../../lib/sim';
import { createMigratedDatabase, type MigratedDatabase } from '../helpers/database';
import { fastProfile, query, startController, storedTransitions, targetsOf, waitFor } from './support';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

function target(name: string, server: string): ClusterTarget {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name, server, skipTLSVerify: true }],
    users: [{ name, token: 'not-a-valid-token' }],
    contexts: [{ name, cluster: name, user: name }],
    currentContext: name,
  });
  return { name, source: 'kubeconfig', server, kubeConfig };
}

// An API server that answers every request with one Kubernetes Status, as a real one does for bad credentials or RBAC.
async function statusServer(code: number, reason: string, message: string): Promise<string> {
  const server = http.createServer((_request, response) => {
    response.writeHead(code, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

type ClusterRow = { name: string; state: string; stateReason: string | null; attempt: number };

describe('clusters that fail beside a healthy one', () => {
  it('keep their own state and reason while the healthy cluster is recorded', async () => {
    const db: MigratedDatabase = await createMigratedDatabase('states');
    cleanups.push(db.drop);
    const fleet: Fleet = await startFleet({ clusters: ['healthy'], leases: [fastProfile], candidates: 2, seed: 3 });
    cleanups.push(() => fleet.stop());

    const unauthorized = await statusServer(401, 'Unauthorized', 'Unauthorized');
    const forbidden = await statusServer(
      403,
      'Forbidden',
      'leases.coordination.k8s.io is forbidden: User "system:serviceaccount:leasetrail:leasetrail" cannot list resource "leases" in API group "coordination.k8s.io" at the cluster scope',
    );
    const targets = [
      ...targetsOf(fleet),
      target('unreachable', `http://127.0.0.1:${await findFreePort()}`),
      target('unauthorized', unauthorized),
      target('forbidden', forbidden),
    ];
    const controller: Controller = startController(db.url, targets);
    cleanups.push(() => controller.stop());

    const rows = await waitFor('every cluster to report its state', async () => {
      const clusters = await query<ClusterRow>(db.url, `SELECT name, state::text, "stateReason", attempt FROM "Cluster" ORDER BY name`);
      const byName = Object.fromEntries(clusters.map((c) => [c.name, c]));
      const ready =
        byName.healthy?.state === 'connected' &&
        byName.unreachable?.state === 'reconnecting' &&
        byName.unauthorized?.state === 'failing' &&
        byName.forbidden?.state === 'failing';
      return ready ? byName : undefined;
    });

    expect(rows.unreachable?.stateReason).toMatch(/^unreachable: ECONNREFUSED while trying to list leases/);
    expect(rows.unreachable?.attempt).toBeGreaterThanOrEqual(1);
    expect(rows.unauthorized?.stateReason).toMatch(/^unauthorized: the API server rejected the credentials/);
    expect(rows.forbidden?.stateReason).toMatch(/^forbidden: missing RBAC permission to list leases.coordination.k8s.io at cluster scope; grant get, list, watch/);
    expect(rows.healthy?.stateReason).toBeNull();

    const leader = await waitFor('a leader', async () => fleet.leaderOf('healthy', `${fastProfile.namespace}/${fastProfile.leaseName}`));
    await waitFor('the healthy cluster’s leader stored', async () =>
      (await storedTransitions(db.url, 'healthy', fastProfile.leaseName)).some((t) => t.kind === 'acquired' && t.toHolder === leader),
    );
  });
});
