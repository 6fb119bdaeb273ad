import type { Query, QueryClient } from '@tanstack/react-query';
import type { ChangeEvent } from '../changes/notice';

export const isLeadershipChange = (event: ChangeEvent) => event.type === 'resync' || (event.transitions ?? 0) > 0 || event.status === true;

const isFleetWide = (query: Query) => ['fleet', 'clusters', 'timeline'].includes(query.queryKey[0] as string);

// Query keys start with the resource, then cluster, namespace and name: ['lease', c, ns, n, part, …].
export function isAffected(query: Query, event: ChangeEvent): boolean {
  if (event.type === 'resync') return true;
  const [resource, cluster, namespace, name, part] = query.queryKey as string[];
  // Fleet-wide views change with leadership and cluster state; renewals alone refresh them on their interval.
  if (isFleetWide(query)) return isLeadershipChange(event);
  if (resource !== 'lease' || cluster !== event.cluster) return false;
  if (event.leases !== undefined && !event.leases.includes(`${namespace}/${name}`)) return false;
  // A renewal changes the renew chart and the lease row, not the transitions, gaps or notes.
  return part === 'detail' || part === 'renewals' || isLeadershipChange(event);
}

// Applies each coalesced batch of change notices to the cache. A change of leadership restarts a lease's fetch in
// flight (it may predate the change); renewals never do, or a steady stream of them would cancel every fetch
// before it lands. Nor do changes restart a fleet-wide fetch: a 10,000-lease fleet takes longer to answer than
// elections of a big fleet take to follow each other, and every answer was cancelled (27 fetches in 15 s at
// 2 elections/s, none landed). It lands, then one more fetch follows if a change came meanwhile.
export function createNoticeApplier(queryClient: QueryClient): { apply: (events: ChangeEvent[]) => void; stop: () => void } {
  const refetchAfterFetch = new Set<string>();
  const refetch = (queryHash: string) => void queryClient.invalidateQueries({ predicate: (query) => query.queryHash === queryHash });
  const stop = queryClient.getQueryCache().subscribe((event) => {
    const { query } = event;
    if (event.type !== 'updated' || query.state.fetchStatus !== 'idle' || !refetchAfterFetch.delete(query.queryHash)) return;
    refetch(query.queryHash);
  });
  const apply = (events: ChangeEvent[]) => {
    const changes = events.filter(isLeadershipChange);
    const renewals = events.filter((event) => !isLeadershipChange(event));
    if (changes.length > 0) {
      const affected = queryClient.getQueryCache().findAll({ predicate: (query) => changes.some((event) => isAffected(query, event)) });
      for (const query of affected) {
        if (isFleetWide(query) && query.state.fetchStatus === 'fetching') refetchAfterFetch.add(query.queryHash);
      }
      void queryClient.invalidateQueries({ predicate: (query) => affected.includes(query) && !refetchAfterFetch.has(query.queryHash) });
    }
    if (renewals.length > 0) void queryClient.invalidateQueries({ predicate: (query) => renewals.some((event) => isAffected(query, event)) }, { cancelRefetch: false });
  };
  return { apply, stop };
}
