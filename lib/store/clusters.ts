import type { Store } from './client';

export type ClusterSummary = {
  name: string;
  source: string;
  state: string;
  stateReason: string | null;
  lastEventAt: Date | null;
  leaseCount: number;
};

export async function listClusters(store: Store): Promise<ClusterSummary[]> {
  const clusters = await store.prisma.cluster.findMany({
    orderBy: { name: 'asc' },
    select: { name: true, source: true, state: true, stateReason: true, lastEventAt: true, _count: { select: { leases: true } } },
  });
  return clusters.map(({ _count, ...cluster }) => ({ ...cluster, leaseCount: _count.leases }));
}
