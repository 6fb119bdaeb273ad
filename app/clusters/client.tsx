'use client';

import { useQuery } from '@tanstack/react-query';
import { StatusDot, type StatusTone } from '@/components/ui/status-dot';
import { TimeText } from '@/components/ui/time-text';
import type { ClustersResponse, GapsResponse } from '@/lib/api/dto';
import { formatDuration } from '@/lib/ui/format';

const stateTone: Record<string, StatusTone> = { connected: 'good', reconnecting: 'warn', failing: 'bad', pending: 'idle', stopped: 'idle' };
const gapReasons: Record<string, string> = {
  watch_lost: 'watch lost',
  history_expired: 'watch history expired (410), relisted',
  connect_failed: 'could not connect',
  controller_down: 'Leasetrail was not running',
  store_overflow: 'PostgreSQL unreachable too long',
  ownership_lost: 'ownership lost',
};

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`request failed with ${response.status}`);
  return (await response.json()) as T;
}

export function ClustersClient({ initialClusters, initialGaps }: { initialClusters: ClustersResponse; initialGaps: GapsResponse }) {
  const clusters = useQuery({ queryKey: ['clusters'], queryFn: () => getJson<ClustersResponse>('/api/clusters'), initialData: initialClusters, refetchInterval: 10_000 });
  const gaps = useQuery({
    queryKey: ['clusters', 'gaps'],
    queryFn: () => getJson<GapsResponse>(`/api/gaps?from=${new Date(Date.now() - 7 * 86_400_000).toISOString()}&limit=1000`),
    initialData: initialGaps,
  });
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Clusters</h1>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">Connection state of every watched cluster, and every period in which Leasetrail could not see it.</p>
      </div>
      <div className="overflow-x-auto rounded-lg border border-zinc-200 dark:border-zinc-800">
        <table className="w-full text-left text-sm">
          <thead className="bg-zinc-50 text-xs text-zinc-600 dark:bg-zinc-900 dark:text-zinc-400">
            <tr>
              <th scope="col" className="px-3 py-2 font-medium">Cluster</th>
              <th scope="col" className="px-3 py-2 font-medium">State</th>
              <th scope="col" className="px-3 py-2 font-medium">Source</th>
              <th scope="col" className="px-3 py-2 text-right font-medium">Leases</th>
              <th scope="col" className="px-3 py-2 font-medium">Last event</th>
              <th scope="col" className="px-3 py-2 font-medium">Connected since</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
            {clusters.data.clusters.map((cluster) => (
              <tr key={cluster.name}>
                <td className="px-3 py-1.5 font-medium">
                  {cluster.name}
                  <div className="font-mono text-xs font-normal text-zinc-500">{cluster.server}</div>
                </td>
                <td className="px-3 py-1.5">
                  <span className="flex items-center gap-2">
                    <StatusDot tone={stateTone[cluster.state] ?? 'idle'} label={cluster.state} />
                    {cluster.state}
                    {cluster.state !== 'connected' && cluster.attempt > 0 ? <span className="text-xs text-zinc-500">attempt {cluster.attempt}</span> : null}
                  </span>
                  {cluster.stateReason ? <div className="mt-0.5 max-w-md text-xs text-red-700 dark:text-red-400">{cluster.stateReason}</div> : null}
                  {cluster.nextRetryAt && cluster.state !== 'connected' ? (
                    <div className="text-xs text-zinc-500">
                      next retry <TimeText value={cluster.nextRetryAt} date={false} />
                    </div>
                  ) : null}
                </td>
                <td className="px-3 py-1.5">{cluster.source.replace('_', ' ')}</td>
                <td className="px-3 py-1.5 text-right tabular-nums">{cluster.leaseCount}</td>
                <td className="px-3 py-1.5">
                  <TimeText value={cluster.lastEventAt} />
                </td>
                <td className="px-3 py-1.5">
                  <TimeText value={cluster.connectedAt} />
                </td>
              </tr>
            ))}
            {clusters.data.clusters.length === 0 ? (
              <tr>
                <td colSpan={6} className="px-3 py-6 text-center text-zinc-500">
                  No cluster is configured.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <section aria-labelledby="gaps-heading" className="space-y-2">
        <h2 id="gaps-heading" className="text-sm font-semibold">
          Observation gaps, last 7 days
        </h2>
        {gaps.data.gaps.length === 0 ? (
          <p className="text-sm text-zinc-500">Every cluster was watched without interruption.</p>
        ) : (
          <ul className="divide-y divide-zinc-100 rounded-lg border border-zinc-200 text-sm dark:divide-zinc-800 dark:border-zinc-800">
            {[...gaps.data.gaps].reverse().map((gap) => (
              <li key={gap.id} className="flex flex-wrap gap-x-3 px-3 py-1.5">
                <span className="font-medium">{gap.cluster}</span>
                <TimeText value={gap.startedAt} /> → {gap.endedAt ? <TimeText value={gap.endedAt} /> : <span className="text-amber-600">still blind</span>}
                <span className="text-zinc-500">{gap.endedAt ? formatDuration(Date.parse(gap.endedAt) - Date.parse(gap.startedAt)) : ''}</span>
                <span className="text-zinc-600 dark:text-zinc-400">{gapReasons[gap.reason] ?? gap.reason}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
