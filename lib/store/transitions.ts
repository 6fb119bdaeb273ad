import type { LeaseKey } from '../leases';
import type { Store } from './client';
import type { Transition } from './generated/prisma/client';
import { getLeaseOrThrow } from './leases';
import type { TimeRange } from './time-range';

export type ListTransitionsInput = { key: LeaseKey; range: TimeRange; limit: number };

export type TransitionRecord = Omit<Transition, 'leaseId' | 'clusterId' | 'eventKey'>;

// Oldest first, as a timeline reads; `hasMore` tells the caller to continue from the last `at`.
export async function listTransitions(store: Store, input: ListTransitionsInput): Promise<{ transitions: TransitionRecord[]; hasMore: boolean }> {
  const lease = await getLeaseOrThrow(store, input.key);
  const rows = await store.prisma.transition.findMany({
    where: { leaseId: lease.id, at: { gte: input.range.from, lt: input.range.to } },
    orderBy: [{ at: 'asc' }, { id: 'asc' }],
    take: input.limit + 1,
    omit: { leaseId: true, clusterId: true, eventKey: true },
  });
  return { transitions: rows.slice(0, input.limit), hasMore: rows.length > input.limit };
}
