import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneFailoverContext } from '../../../lib/store/context-retention';
import type { Cluster } from '../../../lib/store/generated/prisma/client';
import { createMigratedDatabase, type MigratedDatabase } from '../helpers/database';
import { seedCluster } from '../helpers/seed';

const day = 24 * 60 * 60_000;
const now = Date.parse('2026-12-01T00:00:00Z');
let db: MigratedDatabase;
let cluster: Cluster;

beforeAll(async () => {
  db = await createMigratedDatabase('ctx_retention');
  cluster = await seedCluster(db.store, 'prod');
  const at = (daysAgo: number) => new Date(now - daysAgo * day);
  const sighting = (pod: string, deletedDaysAgo: number | null) => ({ clusterId: cluster.id, namespace: 'kube-system', pod, uid: `uid-${pod}`, firstSeenAt: at(90), lastSeenAt: at(1), deletedAt: deletedDaysAgo === null ? null : at(deletedDaysAgo) });
  await db.store.prisma.podSighting.createMany({ data: [sighting('alive-for-long', null), sighting('gone-long-ago', 40), sighting('gone-lately', 5)] });
  const restart = (pod: string, daysAgo: number, count: number) => ({ clusterId: cluster.id, namespace: 'kube-system', pod, podUid: `uid-${pod}`, container: 'c', restartCount: count, observedAt: at(daysAgo) });
  await db.store.prisma.containerRestart.createMany({ data: [restart('alive-for-long', 45, 1), restart('alive-for-long', 3, 2)] });
  const event = (name: string, daysAgo: number) => ({ clusterId: cluster.id, api: 'core' as const, uid: `uid-${name}`, namespace: 'kube-system', name, involvedKind: 'Lease', involvedName: 'kube-scheduler', reason: 'LeaderElection', message: name, firstAt: at(daysAgo), lastAt: at(daysAgo), observedAt: at(daysAgo) });
  await db.store.prisma.kubeEvent.createMany({ data: [event('old', 31), event('recent', 29)] });
});

afterAll(async () => {
  await db.drop();
});

describe('failover context retention', () => {
  it('prunes Events, restarts and deleted pods older than the retention, in batches, and keeps living pods however old', async () => {
    expect(await pruneFailoverContext(db.store, now, 30 * day, 1)).toEqual({ events: 1, restarts: 1, pods: 1 });
    expect((await db.store.prisma.kubeEvent.findMany()).map((row) => row.name)).toEqual(['recent']);
    expect((await db.store.prisma.containerRestart.findMany()).map((row) => row.restartCount)).toEqual([2]);
    expect((await db.store.prisma.podSighting.findMany({ orderBy: { pod: 'asc' } })).map((row) => row.pod)).toEqual(['alive-for-long', 'gone-lately']);
    expect(await pruneFailoverContext(db.store, now, 30 * day)).toEqual({ events: 0, restarts: 0, pods: 0 });
  });
});
