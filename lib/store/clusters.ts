import { NotFoundError } from '../errors';
import type { Store } from './client';
import type { ClusterSource, ClusterState, LeaseKind } from './generated/prisma/enums';
import { queryRow, type PgStore } from './pg-store';
import { sql } from './sql';

export type LeaseCounts = Record<LeaseKind, number>;

export type ClusterSummary = {
  name: string;
  source: ClusterSource;
  server: string | null;
  state: ClusterState;
  stateReason: string | null;
  attempt: number;
  nextRetryAt: Date | null;
  lastEventAt: Date | null;
  lastSeenAt: Date | null;
  connectedAt: Date | null;
  // The Leasetrail controller instance (replica, thread) that owns the cluster, and since when.
  ownerInstance: string | null;
  ownerSince: Date | null;
  leaseCount: number;
  leaseCountByKind: LeaseCounts;
};

const noLeases = (): LeaseCounts => ({ election: 0, node_heartbeat: 0, apiserver_identity: 0 });

export async function listClusters(store: Store): Promise<ClusterSummary[]> {
  const [clusters, counts] = await Promise.all([
    store.prisma.cluster.findMany({
      orderBy: { name: 'asc' },
      select: {
        id: true,
        name: true,
        source: true,
        server: true,
        state: true,
        stateReason: true,
        attempt: true,
        nextRetryAt: true,
        lastEventAt: true,
        lastSeenAt: true,
        connectedAt: true,
        ownerInstance: true,
        ownerSince: true,
      },
    }),
    store.prisma.lease.groupBy({ by: ['clusterId', 'kind'], _count: { _all: true } }),
  ]);
  const countsByCluster = new Map<number, LeaseCounts>();
  for (const row of counts) {
    const perKind = countsByCluster.get(row.clusterId) ?? noLeases();
    perKind[row.kind] = row._count._all;
    countsByCluster.set(row.clusterId, perKind);
  }
  return clusters.map(({ id, ...cluster }) => {
    const leaseCountByKind = countsByCluster.get(id) ?? noLeases();
    const leaseCount = leaseCountByKind.election + leaseCountByKind.node_heartbeat + leaseCountByKind.apiserver_identity;
    return { ...cluster, leaseCount, leaseCountByKind };
  });
}

export async function getClusterIdOrThrow(store: PgStore, name: string): Promise<number> {
  const cluster = await queryRow<{ id: number }>(store.pool, sql`SELECT id FROM "Cluster" WHERE name = ${name}`);
  if (!cluster) throw new NotFoundError(`cluster ${name} not found`);
  return cluster.id;
}
