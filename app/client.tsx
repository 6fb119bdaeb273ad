'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useQueryStates } from 'nuqs';
import { memo, useMemo, useState } from 'react';
import { HealthBadge, healthLabels } from '@/components/fleet/health-badge';
import { StatusDot, type StatusTone } from '@/components/ui/status-dot';
import { IdentityText } from '@/components/ui/identity-text';
import { TimeText } from '@/components/ui/time-text';
import { ElapsedClockProvider, ElapsedText } from '@/components/ui/elapsed-text';
import type { FleetLeaseDto, FleetResponse } from '@/lib/api/dto';
import type { LeaseHealth } from '@/lib/leases/health';
import { formatDuration, plural, shortHolder } from '@/lib/ui/format';
import { leaseHref } from '@/lib/ui/links';
import { fetchJson } from '@/lib/ui/fetch-json';
import { Select, fieldClass } from '@/components/ui/select';
import { EmptyRow, Table, TableBody } from '@/components/ui/table';
import { fleetSearchParams, fleetSortKeys } from './search-params';

const collator = new Intl.Collator();
// Rows in the page at first and per "Show more". Ten thousand rows made every change of one of them a
// 200 ms layout of the whole table (and 10,000 links watched for prefetching): the fleet sorts the leases
// that need attention first, and the filters find the others.
const fleetRowsPerPage = 500;
const healthOrder: Record<LeaseHealth, number> = { leaderless: 0, stale: 1, flapping: 2, near_expiry: 3, healthy: 4 };
const stateTone: Record<string, StatusTone> = { connected: 'good', reconnecting: 'warn', failing: 'bad', pending: 'idle', stopped: 'idle' };

type SortKey = (typeof fleetSortKeys)[number];

// Sorting by tenure is sorting by its start, so the order does not move with the clock.
function sortValue(lease: FleetLeaseDto, key: SortKey): string | number {
  switch (key) {
    case 'cluster':
      return `${lease.cluster}/${lease.namespace}/${lease.name}`;
    case 'name':
      return `${lease.namespace}/${lease.name}`;
    case 'holder':
      return lease.holderIdentity ?? '';
    case 'heldFor':
      return lease.health === 'leaderless' || !lease.holderSince ? Number.NEGATIVE_INFINITY : -Date.parse(lease.holderSince);
    case 'transitions1h':
      return lease.acquisitions1h;
    case 'transitions24h':
      return lease.acquisitions24h;
    case 'renewP95':
      return lease.renewP95Ms ?? -1;
    case 'health':
      return healthOrder[lease.health];
  }
}

const columns: Array<{ key: SortKey; label: string; numeric?: boolean }> = [
  { key: 'cluster', label: 'Cluster' },
  { key: 'name', label: 'Lease' },
  { key: 'holder', label: 'Holder' },
  { key: 'heldFor', label: 'For', numeric: true },
  { key: 'transitions1h', label: '1 h', numeric: true },
  { key: 'transitions24h', label: '24 h', numeric: true },
  { key: 'renewP95', label: 'Renew p95', numeric: true },
  { key: 'health', label: 'State' },
];

export function FleetClient({ initial }: { initial: FleetResponse }) {
  // Leaderless leases send nothing, so the table also refreshes on a timer; its durations tick on their own.
  const { data, error, isFetching, dataUpdatedAt } = useQuery({ queryKey: ['fleet'], queryFn: () => fetchJson<FleetResponse>('/api/fleet'), initialData: initial, refetchInterval: 5_000 });
  const [params, setParams] = useQueryStates(fleetSearchParams);
  const [rowLimit, setRowLimit] = useState(fleetRowsPerPage);

  const leases = useMemo(() => {
    const text = params.q.toLowerCase();
    const filtered = data.leases.filter(
      (lease) =>
        (!params.cluster || lease.cluster === params.cluster) &&
        (!params.health || lease.health === params.health) &&
        (!text || `${lease.namespace}/${lease.name} ${lease.holderIdentity ?? ''}`.toLowerCase().includes(text)),
    );
    const direction = params.dir === 'asc' ? 1 : -1;
    return filtered.sort((a, b) => {
      const left = sortValue(a, params.sort);
      const right = sortValue(b, params.sort);
      return (left < right ? -1 : left > right ? 1 : 0) * direction || collator.compare(`${a.cluster}/${a.name}`, `${b.cluster}/${b.name}`);
    });
  }, [data.leases, params]);

  const leaderless = data.leases.filter((lease) => lease.health === 'leaderless').length;
  const flapping = data.leases.filter((lease) => lease.health === 'flapping').length;

  return (
    <ElapsedClockProvider serverNow={Date.parse(data.generatedAt)} receivedAt={dataUpdatedAt}>
    <div className="space-y-6">
      <div className="flex items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Fleet</h1>
          <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">Who leads every elected Lease, how stable it is, and what moved recently.</p>
        </div>
        {error ? <p className="text-sm text-red-600">Could not refresh: {error.message}</p> : null}
        <span className="sr-only" aria-live="polite">{isFetching ? 'refreshing' : ''}</span>
      </div>

      {data.clusters.length === 0 ? (
        <section aria-labelledby="no-clusters" className="rounded-lg border border-dashed border-zinc-300 p-6 dark:border-zinc-700">
          <h2 id="no-clusters" className="font-medium">
            No clusters watched yet
          </h2>
          <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">
            Leasetrail watches the contexts of your kubeconfig (<code className="font-mono">KUBECONFIG</code> or <code className="font-mono">~/.kube/config</code>)
            or the cluster it runs in. Without any, it starts a simulated fleet unless <code className="font-mono">LEASETRAIL_SIMULATE=never</code>.
          </p>
        </section>
      ) : (
        <section aria-label="Clusters" className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
          {data.clusters.map((cluster) => (
            <div key={cluster.name} className="rounded-lg border border-zinc-200 p-3 dark:border-zinc-800">
              <div className="flex items-center gap-2">
                <StatusDot tone={stateTone[cluster.state] ?? 'idle'} label={cluster.state} />
                <span className="truncate font-medium">{cluster.name}</span>
                <span className="ml-auto text-xs text-zinc-600 dark:text-zinc-400">{cluster.state}</span>
              </div>
              <p className="mt-1 text-xs text-zinc-600 dark:text-zinc-400">
                {plural(cluster.leaseCountByKind.election, 'election')} · last event <TimeText value={cluster.lastEventAt} date={false} />
              </p>
              {cluster.stateReason ? <p className="mt-1 line-clamp-2 text-xs text-red-700 dark:text-red-400">{cluster.stateReason}</p> : null}
            </div>
          ))}
        </section>
      )}

      <section aria-label="Now" className="grid grid-cols-2 gap-3 sm:grid-cols-4">
        <Counter label="Leases" value={data.leases.length} />
        <Counter label="Leaderless now" value={leaderless} tone={leaderless > 0 ? 'bad' : undefined} />
        <Counter label="Flapping now" value={flapping} tone={flapping > 0 ? 'warn' : undefined} />
        <Counter label="Failovers, 24 h" value={data.leases.reduce((sum, lease) => sum + lease.acquisitions24h, 0)} />
      </section>

      <section aria-labelledby="recent-failovers">
        <h2 id="recent-failovers" className="mb-2 text-sm font-semibold">
          Recent failovers
        </h2>
        {data.failovers.length === 0 ? (
          <p className="text-sm text-zinc-600 dark:text-zinc-400">No change of leader in the last 24 h.</p>
        ) : (
          <ul className="divide-y divide-zinc-100 rounded-lg border border-zinc-200 text-sm dark:divide-zinc-800 dark:border-zinc-800">
            {data.failovers.map((failover) => (
              <li key={failover.id} className="flex flex-wrap items-center gap-x-3 px-3 py-1.5">
                <TimeText value={failover.at} />
                <Link className="font-medium hover:underline" href={leaseHref(failover, { at: failover.at })}>
                  {failover.cluster} / {failover.namespace}/{failover.name}
                </Link>
                <span className="font-mono text-xs">
                  {shortHolder(failover.fromHolder)} → {shortHolder(failover.toHolder)}
                </span>
                <span className="text-xs text-zinc-600 dark:text-zinc-400">
                  {failover.cause?.replace('_', ' ')}
                  {failover.isRestart ? ' · restart' : ''}
                  {failover.leaderlessMs !== null ? ` · leaderless ${formatDuration(failover.leaderlessMs)}` : ''}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="leases-heading" className="space-y-2">
        <div className="flex flex-wrap items-center gap-2">
          <h2 id="leases-heading" className="mr-auto text-sm font-semibold">
            Leases
          </h2>
          <input
            type="search"
            aria-label="Filter leases"
            placeholder="Filter by name or holder"
            value={params.q}
            onChange={(event) => void setParams({ q: event.target.value || null })}
            className={`w-56 ${fieldClass}`}
          />
          <Select aria-label="Cluster" value={params.cluster} onChange={(event) => void setParams({ cluster: event.target.value || null })}>
            <option value="">All clusters</option>
            {data.clusters.map((cluster) => (
              <option key={cluster.name} value={cluster.name}>
                {cluster.name}
              </option>
            ))}
          </Select>
          <Select aria-label="State" value={params.health} onChange={(event) => void setParams({ health: (event.target.value || null) as typeof params.health | null })}>
            <option value="">All states</option>
            {Object.entries(healthLabels).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </Select>
        </div>
        <Table>
            <thead className="bg-zinc-50 text-xs text-zinc-600 dark:bg-zinc-900 dark:text-zinc-400">
              <tr>
                {columns.map((column) => {
                  const isSorted = params.sort === column.key;
                  return (
                    <th key={column.key} scope="col" aria-sort={isSorted ? (params.dir === 'asc' ? 'ascending' : 'descending') : 'none'} className={`px-3 py-2 font-medium ${column.numeric ? 'text-right' : ''}`}>
                      <button
                        type="button"
                        className="hover:underline"
                        onClick={() => void setParams({ sort: column.key, dir: isSorted && params.dir === 'asc' ? 'desc' : 'asc' })}
                      >
                        {column.label}
                        {isSorted ? (params.dir === 'asc' ? ' ↑' : ' ↓') : ''}
                      </button>
                    </th>
                  );
                })}
              </tr>
            </thead>
            <TableBody>
              {leases.slice(0, rowLimit).map((lease) => (
                <FleetLeaseRow key={`${lease.cluster}/${lease.namespace}/${lease.name}`} lease={lease} />
              ))}
              {leases.length === 0 ? <EmptyRow columns={columns.length}>No lease matches these filters.</EmptyRow> : null}
              {leases.length > rowLimit ? (
                <tr>
                  <td colSpan={columns.length} className="px-3 py-2 text-center text-zinc-600 dark:text-zinc-400">
                    Showing {rowLimit.toLocaleString('en')} of {leases.length.toLocaleString('en')} leases.{' '}
                    <button type="button" className="font-medium text-zinc-900 hover:underline dark:text-zinc-100" onClick={() => setRowLimit((limit) => limit + fleetRowsPerPage)}>
                      Show {Math.min(fleetRowsPerPage, leases.length - rowLimit).toLocaleString('en')} more
                    </button>
                  </td>
                </tr>
              ) : null}
            </TableBody>
        </Table>
      </section>
    </div>
    </ElapsedClockProvider>
  );
}

// A row re-renders only when its lease changed (query answers keep unchanged leases as the same objects).
const FleetLeaseRow = memo(function FleetLeaseRow({ lease }: { lease: FleetLeaseDto }) {
  return (
    <tr className="hover:bg-zinc-50 dark:hover:bg-zinc-900">
      <td className="px-3 py-1.5">{lease.cluster}</td>
      <td className="px-3 py-1.5">
        <Link href={leaseHref(lease)} className="font-medium hover:underline">
          {lease.namespace}/{lease.name}
        </Link>
      </td>
      <td className="px-3 py-1.5">
        <IdentityText value={lease.holderIdentity} maxChars={26} />
      </td>
      <td className="whitespace-nowrap px-3 py-1.5 text-right tabular-nums" data-testid="tenure-cell">
        <TenureText lease={lease} />
      </td>
      <td className="px-3 py-1.5 text-right tabular-nums">{lease.acquisitions1h}</td>
      <td className="px-3 py-1.5 text-right tabular-nums">{lease.acquisitions24h}</td>
      <td className="px-3 py-1.5 text-right tabular-nums">{formatDuration(lease.renewP95Ms)}</td>
      <td className="px-3 py-1.5">
        <HealthBadge health={lease.health} />
      </td>
    </tr>
  );
});

// "Held for 3 m" beside a healthy lease, "Leaderless for 1 m 12 s" beside a leaderless one: never a
// tenure beside a badge that says nobody leads. A holder whose lease ran out is leaderless since then.
function TenureText({ lease }: { lease: FleetLeaseDto }) {
  if (lease.health === 'leaderless') {
    const changedAt = Date.parse(lease.changedAt);
    const since = lease.holderIdentity && lease.leaseDurationSeconds ? changedAt + lease.leaseDurationSeconds * 1000 : changedAt;
    return (
      <span className="text-red-700 dark:text-red-400">
        Leaderless for <ElapsedText since={since} />
      </span>
    );
  }
  if (!lease.holderSince) return <span>—</span>;
  return (
    <span>
      Held for <ElapsedText since={Date.parse(lease.holderSince)} />
    </span>
  );
}

function Counter({ label, value, tone }: { label: string; value: number; tone?: 'bad' | 'warn' }) {
  const color = tone === 'bad' ? 'text-red-600 dark:text-red-400' : tone === 'warn' ? 'text-amber-600 dark:text-amber-400' : '';
  return (
    <div className="rounded-lg border border-zinc-200 p-3 dark:border-zinc-800">
      <div className="text-xs text-zinc-600 dark:text-zinc-400">{label}</div>
      <div className={`text-2xl font-semibold tabular-nums ${color}`}>{value}</div>
    </div>
  );
}
