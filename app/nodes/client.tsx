'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useQueryStates } from 'nuqs';
import { ChartNodeGaps } from '@/components/chart/chart-node-gaps';
import { EmptyRow, Table, TableBody, TableHead, Th } from '@/components/ui/table';
import { TimeText } from '@/components/ui/time-text';
import type { ClustersResponse } from '@/lib/api/dto';
import type { NodeHeartbeatView } from '@/lib/api/context-dto';
import { fetchJson } from '@/lib/ui/fetch-json';
import { formatDuration } from '@/lib/ui/format';
import { nodeRangePresets, nodesSearchParams } from './search-params';

const presetMs: Record<(typeof nodeRangePresets)[number], number> = { '1h': 3_600_000, '6h': 21_600_000, '24h': 86_400_000, '7d': 604_800_000 };

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function NodesClient({ initialClusters }: { initialClusters: ClustersResponse }) {
  const [params, setParams] = useQueryStates(nodesSearchParams);
  const clusters = useQuery({ queryKey: ['clusters'], queryFn: () => fetchJson<ClustersResponse>('/api/clusters'), initialData: initialClusters });
  const cluster = params.cluster || clusters.data.clusters[0]?.name || '';
  const view = useQuery({
    queryKey: ['nodes', cluster, params.range, params.grace, params.near, params.node],
    enabled: cluster !== '',
    queryFn: async () => {
      const to = Date.now();
      const from = to - presetMs[params.range];
      const search = new URLSearchParams({ cluster, from: new Date(from).toISOString(), to: new Date(to).toISOString(), grace: String(params.grace), near: String(params.near), ...(params.node ? { node: params.node } : {}) });
      return { from, to, view: await fetchJson<NodeHeartbeatView>(`/api/nodes?${search}`) };
    },
    placeholderData: keepPreviousData,
    refetchInterval: 30_000,
  });
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Nodes</h1>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
          Node heartbeats (kube-node-lease): how long each kubelet went between renewals, which nodes came near the node-monitor grace period, and bursts across many nodes that point at the control plane.
        </p>
      </div>
      <form className="flex flex-wrap items-end gap-3 text-sm" onSubmit={(event) => event.preventDefault()}>
        <label className="flex flex-col gap-1">
          Cluster
          <select value={cluster} onChange={(event) => void setParams({ cluster: event.target.value, node: null })} className="rounded border border-zinc-300 px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900">
            {clusters.data.clusters.map((entry) => (
              <option key={entry.name} value={entry.name}>
                {entry.name}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col gap-1">
          Window
          <select value={params.range} onChange={(event) => void setParams({ range: event.target.value as (typeof nodeRangePresets)[number] })} className="rounded border border-zinc-300 px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900">
            {nodeRangePresets.map((preset) => (
              <option key={preset} value={preset}>
                last {preset}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col gap-1">
          Grace period (s)
          <input type="number" min={10} max={600} value={params.grace} onChange={(event) => void setParams({ grace: Number(event.target.value) || 40 })} className="w-24 rounded border border-zinc-300 px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900" />
        </label>
        <label className="flex flex-col gap-1">
          Near when within (s)
          <input type="number" min={1} max={300} value={params.near} onChange={(event) => void setParams({ near: Number(event.target.value) || 10 })} className="w-24 rounded border border-zinc-300 px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900" />
        </label>
      </form>
      {view.isError ? (
        <p role="alert" className="text-sm text-red-600">
          Could not load the nodes: {view.error.message}
        </p>
      ) : !view.data ? (
        <div className="h-24 animate-pulse rounded bg-zinc-100 dark:bg-zinc-900" aria-label="Loading nodes" />
      ) : (
        <NodesView {...view.data} onSelectNode={(node) => void setParams({ node: node ?? null })} />
      )}
    </div>
  );
}

function NodesView({ view, from, to, onSelectNode }: { view: NodeHeartbeatView; from: number; to: number; onSelectNode: (node: string | null) => void }) {
  const selected = view.selectedNode;
  return (
    <>
      <dl className="grid grid-cols-2 gap-3 text-sm sm:grid-cols-4">
        <div>
          <dt className="text-xs text-zinc-600 dark:text-zinc-400">Nodes</dt>
          <dd data-testid="nodes-total">
            {view.reportingNodes} reporting of {view.totalNodes}
          </dd>
        </div>
        <div>
          <dt className="text-xs text-zinc-600 dark:text-zinc-400">Within {formatDuration(view.options.nearMs)} of the grace period</dt>
          <dd data-testid="nodes-near-grace">{view.nearGraceNodes}</dd>
        </div>
        <div>
          <dt className="text-xs text-zinc-600 dark:text-zinc-400">Past the grace period</dt>
          <dd data-testid="nodes-past-grace" className={view.pastGraceNodes > 0 ? 'font-semibold text-red-700 dark:text-red-400' : ''}>
            {view.pastGraceNodes}
          </dd>
        </div>
        <div>
          <dt className="text-xs text-zinc-600 dark:text-zinc-400">Rolled up until</dt>
          <dd>
            <TimeText value={iso(view.rolledUntil)} />
          </dd>
        </div>
      </dl>
      <section aria-labelledby="gaps-over-time-heading" className="space-y-2">
        <h2 id="gaps-over-time-heading" className="text-sm font-semibold">
          Renew gap over time
        </h2>
        <ChartNodeGaps series={view.series} from={from} to={to} gracePeriodMs={view.options.gracePeriodMs} label={`every node of ${view.cluster}`} testId="cluster-gap-chart" />
        {selected ? (
          <div className="space-y-1" data-testid="node-gap-selected">
            <div className="flex items-center gap-2 text-sm">
              <span>
                Node <strong>{selected.node}</strong>
              </span>
              <button type="button" onClick={() => onSelectNode(null)} className="rounded border border-zinc-300 px-2 py-0.5 text-xs dark:border-zinc-700">
                Clear
              </button>
            </div>
            <ChartNodeGaps series={selected.series} from={from} to={to} gracePeriodMs={view.options.gracePeriodMs} label={`node ${selected.node}`} testId="node-gap-chart" />
          </div>
        ) : (
          <p className="text-xs text-zinc-600 dark:text-zinc-400">Pick a node in the table below to draw its own renew gap over time.</p>
        )}
      </section>
      <section aria-labelledby="bursts-heading" className="space-y-2">
        <h2 id="bursts-heading" className="text-sm font-semibold">
          Fleet-wide bursts
        </h2>
        {view.bursts.length === 0 ? (
          <p className="text-sm text-zinc-600 dark:text-zinc-400">No burst of missed renewals across many nodes in this window.</p>
        ) : (
          <ul className="space-y-1 text-sm">
            {view.bursts.map((burst) => (
              <li key={burst.at} data-testid="heartbeat-burst" className="rounded border border-amber-300 bg-amber-50 px-3 py-1 text-amber-900 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-200">
                {burst.nodes} of {burst.totalNodes} nodes in {view.cluster} missed renewals at <TimeText value={iso(burst.at)} seconds /> (worst gap {formatDuration(burst.worstMs)}): points at the control plane
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="node-gaps-heading" className="space-y-2">
        <h2 id="node-gaps-heading" className="text-sm font-semibold">
          Renew gap per node <span className="font-normal text-zinc-600 dark:text-zinc-400">· worst first{view.reportingNodes > view.nodes.length ? `, ${view.nodes.length} of ${view.reportingNodes} shown` : ''}</span>
        </h2>
        <Table>
          <TableHead>
            <Th>Node</Th>
            <Th numeric>Renewals</Th>
            <Th numeric>p50</Th>
            <Th numeric>p99</Th>
            <Th numeric>Worst</Th>
            <Th>Worst at</Th>
          </TableHead>
          <TableBody>
            {view.nodes.length === 0 ? (
              <EmptyRow columns={6}>No node heartbeats rolled up in this window (watch kube-node-lease with LEASETRAIL_NODE_HEARTBEATS=true).</EmptyRow>
            ) : (
              view.nodes.map((node) => (
                <tr key={node.node} data-testid="node-row" data-near={node.isNearGrace} data-past={node.isPastGrace} data-selected={selected?.node === node.node}>
                  <td className="px-3 py-1.5 font-medium">
                    <button type="button" onClick={() => onSelectNode(node.node)} className="text-left underline decoration-dotted underline-offset-2 hover:text-blue-700 dark:hover:text-blue-300" title={`Draw the renew gap of ${node.node} over time`}>
                      {node.node}
                    </button>
                  </td>
                  <td className="px-3 py-1.5 text-right tabular-nums">{node.samples}</td>
                  <td className="px-3 py-1.5 text-right tabular-nums">{formatDuration(node.p50Ms)}</td>
                  <td className="px-3 py-1.5 text-right tabular-nums">{formatDuration(node.p99Ms)}</td>
                  <td className={`px-3 py-1.5 text-right tabular-nums ${node.isPastGrace ? 'font-semibold text-red-700 dark:text-red-400' : node.isNearGrace ? 'text-amber-700 dark:text-amber-400' : ''}`}>{formatDuration(node.worstMs)}</td>
                  <td className="whitespace-nowrap px-3 py-1.5">
                    <TimeText value={iso(node.worstAt)} seconds />
                  </td>
                </tr>
              ))
            )}
          </TableBody>
        </Table>
      </section>
    </>
  );
}
