'use client';

import { useQuery } from '@tanstack/react-query';
import { StatusDot, type StatusTone } from '@/components/ui/status-dot';
import { TimeText } from '@/components/ui/time-text';
import type { ClustersResponse, GapsResponse } from '@/lib/api/dto';
import { formatDuration } from '@/lib/ui/format';
import { gapReasonLabels } from '@/lib/ui/gap-reasons';
import { fetchJson } from '@/lib/ui/fetch-json';
import { EmptyRow, Table, TableBody, TableHead, Th } from '@/components/ui/table';

const stateTone: Record<string, StatusTone> = { connected: 'good', reconnecting: 'warn', failing: 'bad', pending: 'idle', stopped: 'idle' };

export function ClustersClient({ initialClusters, initialGaps }: { initialClusters: ClustersResponse; initialGaps: GapsResponse }) {
  const clusters = useQuery({ queryKey: ['clusters'], queryFn: () => fetchJson<ClustersResponse>('/api/clusters'), initialData: initialClusters, refetchInterval: 10_000 });
  const gaps = useQuery({
    queryKey: ['clusters', 'gaps'],
    queryFn: () => fetchJson<GapsResponse>(`/api/gaps?from=${new Date(Date.now() - 7 * 86_400_000).toISOString()}&limit=1000`),
    initialData: initialGaps,
  });
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Clusters</h1>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">Connection state of every watched cluster, and every period in which Leasetrail could not see it.</p>
      </div>
      <Table>
        <TableHead>
          <Th>Cluster</Th>
          <Th>State</Th>
          <Th>Source</Th>
          <Th numeric>Leases</Th>
          <Th>Last event</Th>
          <Th>Connected since</Th>
          <Th>Owned by</Th>
        </TableHead>
        <TableBody>
            {clusters.data.clusters.map((cluster) => (
              <tr key={cluster.name}>
                <td className="px-3 py-1.5 font-medium">
                  {cluster.name}
                  <div className="font-mono text-xs font-normal text-zinc-600 dark:text-zinc-400">{cluster.server}</div>
                </td>
                <td className="px-3 py-1.5">
                  <span className="flex items-center gap-2">
                    <StatusDot tone={stateTone[cluster.state] ?? 'idle'} label={cluster.state} />
                    {cluster.state}
                    {cluster.state !== 'connected' && cluster.attempt > 0 ? <span className="text-xs text-zinc-600 dark:text-zinc-400">attempt {cluster.attempt}</span> : null}
                  </span>
                  {cluster.stateReason ? <div className="mt-0.5 max-w-md text-xs text-red-700 dark:text-red-400">{cluster.stateReason}</div> : null}
                  {cluster.nextRetryAt && cluster.state !== 'connected' ? (
                    <div className="text-xs text-zinc-600 dark:text-zinc-400">
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
                <td className="px-3 py-1.5">
                  <div className="font-mono text-xs">{cluster.ownerInstance ?? '—'}</div>
                  {cluster.ownerSince ? (
                    <div className="text-xs text-zinc-500">
                      since <TimeText value={cluster.ownerSince} />
                    </div>
                  ) : null}
                </td>
              </tr>
            ))}
            {clusters.data.clusters.length === 0 ? <EmptyRow columns={7}>No cluster is configured.</EmptyRow> : null}
        </TableBody>
      </Table>
      <section aria-labelledby="gaps-heading" className="space-y-2">
        <h2 id="gaps-heading" className="text-sm font-semibold">
          Observation gaps, last 7 days
        </h2>
        {gaps.data.gaps.length === 0 ? (
          <p className="text-sm text-zinc-600 dark:text-zinc-400">Every cluster was watched without interruption.</p>
        ) : (
          <ul className="divide-y divide-zinc-100 rounded-lg border border-zinc-200 text-sm dark:divide-zinc-800 dark:border-zinc-800">
            {[...gaps.data.gaps].reverse().map((gap) => (
              <li key={gap.id} className="flex flex-wrap gap-x-3 px-3 py-1.5">
                <span className="font-medium">{gap.cluster}</span>
                <TimeText value={gap.startedAt} /> → {gap.endedAt ? <TimeText value={gap.endedAt} /> : <span className="text-amber-600">still blind</span>}
                <span className="text-zinc-600 dark:text-zinc-400">{gap.endedAt ? formatDuration(Date.parse(gap.endedAt) - Date.parse(gap.startedAt)) : ''}</span>
                <span className="text-zinc-600 dark:text-zinc-400">{gapReasonLabels[gap.reason] ?? gap.reason}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
