import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CandidateSnapshot, EventRecord, PodSightingRecord } from '../../../lib/kube/context-records';
import { writeContextBatch, type ContextBatch } from '../../../lib/store/context-writes';
import type { Cluster } from '../../../lib/store/generated/prisma/client';
import { createMigratedDatabase, type MigratedDatabase } from '../helpers/database';
import { seedCluster } from '../helpers/seed';

// Objects deleted while a context watch was down are absent from the next list: they are marked deleted
// then (client-go's Replace), never left "alive until now" as ghosts.

const t0 = Date.parse('2026-12-01T10:00:00Z');
let db: MigratedDatabase;
let cluster: Cluster;

const pod = (name: string): PodSightingRecord => ({ namespace: 'kube-system', pod: name, uid: `uid-${name}`, nodeName: 'cp-1', ownerKind: 'Node', ownerName: 'cp-1', isDeleted: false });
const event = (name: string): EventRecord => ({ api: 'core', uid: `uid-${name}`, namespace: 'kube-system', name, involvedKind: 'Lease', involvedName: 'kube-scheduler', reason: 'LeaderElection', message: `${name} became leader`, type: 'Normal', reportingComponent: null, firstAt: t0, lastAt: t0, count: 1, isDeleted: false });
const candidate = (name: string): CandidateSnapshot => ({ namespace: 'kube-system', name, leaseName: 'kube-scheduler', binaryVersion: '1.34.0', emulationVersion: '1.34', strategy: 'OldestEmulationVersion', pingTime: null, renewTime: t0, createdAt: t0, isDeleted: false });
const batch = (rows: Partial<ContextBatch>): ContextBatch => ({ pods: [], restarts: [], events: [], candidates: [], access: [], bands: [], listed: [], ...rows });
const write = (rows: Partial<ContextBatch>, at: number) => db.store.pool.connect().then(async (client) => {
  try {
    await writeContextBatch(client, cluster.id, batch(rows), at);
  } finally {
    client.release();
  }
});

beforeAll(async () => {
  db = await createMigratedDatabase('ctx_relist');
  cluster = await seedCluster(db.store, 'prod');
  await write({ pods: [pod('a'), pod('b')], events: [event('e1'), event('e2')], candidates: [candidate('c1'), candidate('c2')] }, t0);
});

afterAll(async () => {
  await db.drop();
});

describe('a relist after a watch gap', () => {
  it('marks pods, Events and candidates missing from the list deleted, and keeps what the watch added after the list', async () => {
    const listedAt = t0 + 60_000;
    // The list holds a, e1 and c1; pod c arrived by watch right after the list, in a batch stored first.
    await write({ pods: [pod('c')] }, listedAt + 1_000);
    await write(
      {
        pods: [pod('a')],
        events: [event('e1')],
        candidates: [candidate('c1')],
        listed: [
          { resource: 'pods', namespace: 'kube-system', keys: ['uid-a'], at: listedAt },
          { resource: 'events_k8s_io', namespace: 'kube-system', keys: ['uid-e1'], at: listedAt },
          { resource: 'leasecandidates', namespace: null, keys: ['kube-system/c1'], at: listedAt },
        ],
      },
      listedAt + 2_000,
    );
    const pods = await db.store.prisma.podSighting.findMany({ orderBy: { pod: 'asc' } });
    expect(pods.map((row) => [row.pod, row.deletedAt?.getTime() ?? null])).toEqual([['a', null], ['b', listedAt], ['c', null]]);
    const events = await db.store.prisma.kubeEvent.findMany({ orderBy: { name: 'asc' } });
    // One Event store behind both APIs: the list through events.k8s.io/v1 decides the Events first delivered through core/v1 too.
    expect(events.map((row) => [row.name, row.deletedAt?.getTime() ?? null])).toEqual([['e1', null], ['e2', listedAt]]);
    const candidates = await db.store.prisma.leaseCandidate.findMany({ orderBy: { name: 'asc' } });
    expect(candidates.map((row) => [row.name, row.deletedAt?.getTime() ?? null])).toEqual([['c1', null], ['c2', listedAt]]);
  });
});
