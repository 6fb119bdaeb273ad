import { QueryClient, defaultShouldDehydrateQuery, dehydrate } from '@tanstack/react-query';
import { toGapsResponse, toTransitionsResponse } from '../api/dto';
import { gapsQuery, leaseParams, transitionsQuery } from '../api/schemas';
import type { LeaseKey } from '../leases/types';
import type { Store } from '../store/client';
import { listGaps } from '../store/gaps';
import { listTransitions } from '../store/transitions';
import { leaseHistorySearch, leaseQueryKeys, resolveHistoryWindow, serializeHistory, type PrefetchedHistory } from '../ui/lease-queries';
import type { RangeSelection } from '../ui/time-range';

// The timeline's data for the lease page's first range, under the client's query keys and in the API's
// shapes. Nothing is awaited: pending queries dehydrate as promises that follow the shell in the same
// response. Renewals and annotations stay with the client, so this thread serves the page's scripts first.
export function prefetchLeaseHistory(store: Store, leaseKey: LeaseKey, selection: RangeSelection, now = Date.now()): PrefetchedHistory {
  const historyWindow = resolveHistoryWindow(selection, now);
  const search = leaseHistorySearch(leaseKey, historyWindow);
  const queryClient = new QueryClient();
  void queryClient.prefetchQuery({
    queryKey: leaseQueryKeys.transitions(leaseKey, historyWindow.rangeKey),
    queryFn: async () => {
      const key = leaseParams.parse(leaseKey);
      const { range, limit } = transitionsQuery.parse(search.transitions);
      return toTransitionsResponse(await listTransitions(store, { key, range, limit }), range);
    },
  });
  void queryClient.prefetchQuery({
    queryKey: leaseQueryKeys.gaps(leaseKey, historyWindow.rangeKey),
    queryFn: async () => {
      const query = gapsQuery.parse(search.gaps);
      return toGapsResponse(await listGaps(store, query), query.range);
    },
  });
  const state = dehydrate(queryClient, { shouldDehydrateQuery: (query) => defaultShouldDehydrateQuery(query) || query.state.status === 'pending', serializeData: serializeHistory });
  return { state, now };
}
