import type { Store } from './client';
import { getClusterIdOrThrow } from './clusters';
import type { ObservationGap } from './generated/prisma/client';
import type { TimeRange } from './time-range';

export type ListGapsInput = { cluster?: string; range: TimeRange; limit: number };

export type GapRecord = Omit<ObservationGap, 'clusterId'> & { cluster: string };

// Every gap that overlaps the range, including one still open (endedAt null): we are blind right now.
export async function listGaps(store: Store, input: ListGapsInput): Promise<{ gaps: GapRecord[]; hasMore: boolean }> {
  const clusterId = input.cluster === undefined ? undefined : await getClusterIdOrThrow(store, input.cluster);
  const rows = await store.prisma.observationGap.findMany({
    where: {
      clusterId,
      startedAt: { lt: input.range.to },
      OR: [{ endedAt: null }, { endedAt: { gt: input.range.from } }],
    },
    orderBy: [{ startedAt: 'asc' }, { id: 'asc' }],
    take: input.limit + 1,
    omit: { clusterId: true },
    include: { cluster: { select: { name: true } } },
  });
  const gaps = rows.slice(0, input.limit).map(({ cluster, ...gap }) => ({ ...gap, cluster: cluster.name }));
  return { gaps, hasMore: rows.length > input.limit };
}
