import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getFailoverHints, getLeaseContext } from '../../../lib/store/failover-context';
import type { Cluster } from '../../../lib/store/generated/prisma/client';
import { createMigratedDatabase, type MigratedDatabase } from '../helpers/database';
import { seedCluster, seedLease, seedTransitions } from '../helpers/seed';

// Seven days of history in which one pod crash-loops thousands of times: every failover, newest included,
// keeps the evidence of its own window.

const day = 24 * 60 * 60_000;
const now = Date.parse('2026-12-01T12:00:00Z');
const key = { cluster: 'prod', namespace: 'kube-system', name: 'kube-controller-manager' };

let db: MigratedDatabase;
let cluster: Cluster;
const failoverAt = [now - 6 * day, now - 3 * day, now - 60_000];

beforeAll(async () => {
  db = await createMigratedDatabase('ctx_evidence');
  cluster = await seedCluster(db.store, 'prod');
  const lease = await seedLease(db.store, cluster, { namespace: key.namespace, name: key.name, holderIdentity: 'cp-2_b', leaseDurationSeconds: 15 });
  await seedTransitions(
    db.store,
    lease,
    failoverAt.map((at, index) => ({ at: new Date(at), cause: 'expiry' as const, fromHolder: 'cp-1_a', toHolder: 'cp-2_b', leaderlessMs: 1_000, eventKey: `failover-${index}` })),
  );
  const sighting = (pod: string, node: string) => ({ clusterId: cluster.id, namespace: 'kube-system', pod, uid: `uid-${pod}`, nodeName: node, ownerKind: 'Node', ownerName: node, firstSeenAt: new Date(now - 8 * day), lastSeenAt: new Date(now) });
  await db.store.prisma.podSighting.createMany({ data: [sighting('kube-controller-manager-cp-1', 'cp-1'), sighting('kube-controller-manager-cp-2', 'cp-2'), sighting('noisy-operator-7d9f8b6c5-x2k4p', 'worker-1')] });
  // A neighbour crash-looping every 2 minutes for the whole week.
  await db.store.pool.query(
    `INSERT INTO "ContainerRestart" ("clusterId", namespace, pod, "podUid", container, "restartCount", reason, "exitCode", "finishedAt", "observedAt")
     SELECT $1, 'kube-system', 'noisy-operator-7d9f8b6c5-x2k4p', 'uid-noisy', 'manager', n, 'Error', 1, to_timestamp($2::float8 / 1000) + n * interval '2 minutes', to_timestamp($2::float8 / 1000) + n * interval '2 minutes' + interval '1 second'
       FROM generate_series(1, 5000) AS n`,
    [cluster.id, now - 7 * day],
  );
  // The previous holder's container was OOMKilled 2 s before its lease expired, before each failover.
  await db.store.prisma.containerRestart.createMany({
    data: failoverAt.map((at, index) => ({ clusterId: cluster.id, namespace: 'kube-system', pod: 'kube-controller-manager-cp-1', podUid: 'uid-kube-controller-manager-cp-1', container: 'kcm', restartCount: index + 1, reason: 'OOMKilled', exitCode: 137, finishedAt: new Date(at - 3_000), observedAt: new Date(at - 2_000) })),
  });
  const event = (name: string, involvedKind: string, involvedName: string, reason: string, at: number) => ({ clusterId: cluster.id, api: 'core' as const, uid: `uid-${name}`, namespace: 'kube-system', name, involvedKind, involvedName, reason, message: name, firstAt: new Date(at), lastAt: new Date(at), observedAt: new Date(at), deletedAt: new Date(at + 3_600_000) });
  await db.store.prisma.kubeEvent.createMany({
    data: [
      event('cp-2_b became leader', 'Lease', 'kube-controller-manager', 'LeaderElection', now - 59_000),
      event('Back-off restarting failed container', 'Pod', 'kube-controller-manager-cp-1', 'BackOff', now - 62_000),
      event('an unrelated pod', 'Pod', 'noisy-operator-7d9f8b6c5-x2k4p', 'BackOff', now - 62_000),
      event('a day earlier', 'Pod', 'kube-controller-manager-cp-1', 'BackOff', now - day),
    ],
  });
});

afterAll(async () => {
  await db.drop();
});

describe('failover evidence over a week with a crash-looping pod', () => {
  it('gives every failover, the newest too, the restart of its own previous holder', async () => {
    const context = await getLeaseContext(db.store, key, { from: new Date(now - 7 * day), to: new Date(now) }, now);
    expect(context.failovers.map((failover) => [failover.at, failover.hint.kind, failover.hint.text])).toEqual(
      [...failoverAt].reverse().map((at) => [at, 'container_restart', "previous holder's container restarted 2 s before expiry: OOMKilled (exit 137)"]),
    );
    expect(context.failovers[0]!.restarts).toEqual([expect.objectContaining({ pod: 'kube-controller-manager-cp-1', reason: 'OOMKilled', finishedAt: now - 60_000 - 3_000 })]);
    expect(context.failovers[0]!.fromPod).toMatchObject({ pod: 'kube-controller-manager-cp-1', nodeName: 'cp-1' });
  });

  it('gives the audit the same evidence, failover by failover', async () => {
    const ids = (await db.store.prisma.transition.findMany({ select: { id: true }, orderBy: { at: 'asc' } })).map((row) => row.id);
    const hints = await getFailoverHints(db.store, ids);
    expect(hints.map((failover) => failover.hint.kind)).toEqual(['container_restart', 'container_restart', 'container_restart']);
    // The audit row carries the kept Events of the lease and of its holder pods around that failover only.
    const newest = hints.find((failover) => failover.at === now - 60_000)!;
    expect(newest.events.map((event) => [event.reason, event.involvedName, event.deletedAt !== null])).toEqual([
      ['LeaderElection', 'kube-controller-manager', true],
      ['BackOff', 'kube-controller-manager-cp-1', true],
    ]);
    expect(hints.find((failover) => failover.at === now - 3 * day)!.events).toEqual([]);
  });
});
