'use client';

import { useQueryClient, type Query } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import type { ChangeEvent } from '@/lib/changes/notice';

export type LiveState = 'connecting' | 'live' | 'reconnecting';

const LiveContext = createContext<LiveState>('connecting');

export function useLiveState(): LiveState {
  return useContext(LiveContext);
}

// Query keys start with the resource, then cluster, namespace and name: ['lease', c, ns, n, …].
function isAffected(query: Query, event: ChangeEvent): boolean {
  if (event.type === 'resync') return true;
  const [resource, cluster, namespace, name] = query.queryKey as string[];
  // Fleet-wide views change with leadership and cluster state; renewals alone refresh them on their interval.
  if (resource === 'fleet' || resource === 'clusters' || resource === 'timeline') return (event.transitions ?? 0) > 0 || event.status === true;
  if (resource !== 'lease' || cluster !== event.cluster) return false;
  return event.leases === undefined || event.leases.includes(`${namespace}/${name}`);
}

// One EventSource per tab. A notice invalidates the queries it names; TanStack Query's structural
// sharing keeps unchanged data identical, so a refetch that changes nothing re-renders nothing.
export function LiveUpdates({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [state, setState] = useState<LiveState>('connecting');
  useEffect(() => {
    const source = new EventSource('/api/stream');
    // Notices arrive with every stored batch; coalescing them keeps refetches to a few per second.
    let pending: ChangeEvent[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    const flush = () => {
      const events = pending;
      pending = [];
      timer = undefined;
      void queryClient.invalidateQueries({ predicate: (query) => events.some((event) => isAffected(query, event)) });
    };
    const onChange = (message: MessageEvent<string>) => {
      pending.push(JSON.parse(message.data) as ChangeEvent);
      timer ??= setTimeout(flush, 250);
    };
    source.onopen = () => setState('live');
    source.onerror = () => setState('reconnecting');
    source.addEventListener('change', onChange);
    source.addEventListener('resync', onChange);
    return () => {
      clearTimeout(timer);
      source.close();
    };
  }, [queryClient]);
  return <LiveContext.Provider value={state}>{children}</LiveContext.Provider>;
}
