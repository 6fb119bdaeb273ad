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
  // Raw SQL: a timeline asks for thousands of rows, and Prisma's row mapping was most of the time.
  const rows = await store.prisma.$queryRaw<TransitionRecord[]>`
    SELECT id, kind, cause, at, "observedAt", "fromHolder", "toHolder", "isRestart", "leaderlessMs", "overlapMs", "leaseTransitions", "missedCount"
      FROM "Transition"
     WHERE "leaseId" = ${lease.id} AND at >= ${input.range.from} AND at < ${input.range.to}
     ORDER BY at, id
     LIMIT ${input.limit + 1}`;
  return { transitions: rows.slice(0, input.limit), hasMore: rows.length > input.limit };
}
