import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { createMigratedDatabase } from '../helpers/database';
import { query, startController, waitFor } from './support';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

const now = () => new Date().toISOString().replace('Z', '000Z');

function lease(name: string, spec: Record<string, unknown> | undefined, rv: string): Record<string, unknown> {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace: 'kube-system', uid: `uid-${name}`, resourceVersion: rv },
    ...(spec === undefined ? {} : { spec }),
  };
}

const goodSpec = (holder: string) => ({ holderIdentity: holder, leaseDurationSeconds: 15, acquireTime: now(), renewTime: now(), leaseTransitions: 0 });

// A server that speaks list/watch like kube-apiserver but hands out objects a real one would reject,
// as a broken proxy or a buggy aggregated API might.
async function hostileApiServer(): Promise<string> {
  const list = [
    lease('healthy', goodSpec('node-a_1111'), '10'),
    lease('no-spec', undefined, '11'),
    lease('bad-time', { ...goodSpec('node-b_2222'), renewTime: 'yesterday' }, '12'),
    lease('empty-holder', { holderIdentity: '', leaseDurationSeconds: 15, leaseTransitions: 3 }, '13'),
  ];
  const watchEvents = [
    { type: 'MODIFIED', object: lease('bad-time', { ...goodSpec('node-b_2222'), leaseTransitions: 'many' }, '14') },
    { type: 'ADDED', object: { kind: 'Lease', metadata: { namespace: 'kube-system' } } },
    { type: 'ADDED', object: lease('late-good', goodSpec('node-c_3333'), '16') },
  ];
  const sockets = new Set<http.ServerResponse>();
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://x');
    response.writeHead(200, { 'content-type': 'application/json' });
    if (url.searchParams.get('watch') === 'true') {
      sockets.add(response);
      for (const event of watchEvents) response.write(`${JSON.stringify(event)}\n`);
      return;
    }
    response.end(JSON.stringify({ kind: 'LeaseList', apiVersion: 'coordination.k8s.io/v1', metadata: { resourceVersion: '13' }, items: list }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(resolve);
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('malformed Lease objects from a cluster', () => {
  it('are counted and skipped while every well-formed Lease around them is stored', async () => {
    const db = await createMigratedDatabase('malformed');
    cleanups.push(db.drop);
    const server = await hostileApiServer();
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: 'hostile', server, skipTLSVerify: true }],
      users: [{ name: 'u' }],
      contexts: [{ name: 'hostile', cluster: 'hostile', user: 'u' }],
      currentContext: 'hostile',
    });
    const controller = startController(db.url, [{ name: 'hostile', source: 'kubeconfig', server, kubeConfig }]);
    cleanups.push(() => controller.stop());

    const rows = await waitFor('the well-formed leases stored', async () => {
      const leases = await query<{ name: string; holderIdentity: string | null; malformedCount: number }>(
        db.url,
        `SELECT name, "holderIdentity", "malformedCount" FROM "Lease" ORDER BY name`,
      );
      return leases.some((l) => l.name === 'late-good') ? leases : undefined;
    });
    expect(rows.map((l) => [l.name, l.holderIdentity])).toEqual([
      ['empty-holder', null],
      ['healthy', 'node-a_1111'],
      ['late-good', 'node-c_3333'],
    ]);
    expect(controller.status('hostile')?.state).toBe('connected');
    const acquired = await query<{ toHolder: string }>(db.url, `SELECT "toHolder" FROM "Transition" WHERE kind = 'acquired' ORDER BY "toHolder"`);
    expect(acquired.map((t) => t.toHolder)).toEqual(['node-a_1111', 'node-c_3333']);
    expect(controller.malformed('hostile')).toBe(4);
  });
});
