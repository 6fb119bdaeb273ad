'use client';

import { HydrationBoundary, isServer, keepPreviousData, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useQueryStates } from 'nuqs';
import { useCallback, useDeferredValue, useLayoutEffect, useMemo, useState, useSyncExternalStore } from 'react';
import dynamic from 'next/dynamic';
import { AnnotationList } from '@/components/audit/annotation-list';
import { RangePicker } from '@/components/forms/range-picker';
import { TimelineCanvas, type HoverInfo } from '@/components/timeline/timeline-canvas';
import { TimeText } from '@/components/ui/time-text';
import { useTimeZone } from '@/components/ui/time-zone-toggle';
import type { AnnotationsResponse } from '@/lib/api/audit-dto';
import type { GapsResponse, LeaseDto, LeaseResponse, RenewalsResponse, TransitionDto, TransitionsResponse } from '@/lib/api/dto';
import type { LeaseKey } from '@/lib/leases/types';
import { formatDuration, formatTime, holderColor, shortHolder } from '@/lib/ui/format';
import { fetchJson } from '@/lib/ui/fetch-json';
import { EmptyRow, Table, TableBody, TableHead, Th } from '@/components/ui/table';
import { buildTimeline, type TimelineTransition } from '@/lib/ui/timeline';
import { deserializeHistory, leaseHistorySearch, leaseQueryKeys, resolveHistoryWindow, type PrefetchedHistory } from '@/lib/ui/lease-queries';
import { isSliding, resolveRange, type RangeSelection } from '@/lib/ui/time-range';
import { leaseSearchParams } from './search-params';

// recharts is the heaviest part of the bundle: loading it after the timeline keeps hydration short.
const ChartRenewInterval = dynamic(() => import('@/components/chart/chart-renew-interval').then((module) => module.ChartRenewInterval), {
  ssr: false,
  loading: () => <div className="h-64 animate-pulse rounded bg-zinc-100 dark:bg-zinc-900" aria-label="Loading chart" />,
});

const causeLabels: Record<string, string> = { first: 'first seen', release: 'after release', expiry: 'after expiry', early_takeover: 'EARLY TAKEOVER', unknown: 'unknown (not observed)' };

function describeTransition(t: TransitionDto): string {
  switch (t.kind) {
    case 'acquired':
      return `${shortHolder(t.fromHolder)} → ${shortHolder(t.toHolder)} (${causeLabels[t.cause ?? ''] ?? t.cause ?? ''})`;
    case 'released':
      return `${shortHolder(t.fromHolder)} released the lease`;
    case 'expired':
      return `${shortHolder(t.fromHolder)} let the lease expire; no successor`;
    case 'deleted':
      return 'lease deleted';
    case 'missed':
      return `${t.missedCount} change(s) happened while Leasetrail was not watching`;
    case 'resumed':
      return `${shortHolder(t.toHolder)} renewed again after it had been declared expired`;
    case 'reset':
      return `the Lease went backwards (restored or re-created): ${shortHolder(t.toHolder)} holds it now`;
  }
}

// History prefetched by the server streams in as promises that may settle before hydration. The server
// rendered it as loading, so hydration must too (TanStack/query#9399); the very next render shows it.
const subscribeToNothing = () => () => undefined;
const useIsHydrated = () => useSyncExternalStore(subscribeToNothing, () => true, () => false);
const whileHydrating = { data: undefined, error: null, isError: false, isPending: true } as const;

// A sliding preset fetches the window ending when it asks, not when the page last rendered.
const slideRange = (selection: RangeSelection) => resolveRange(selection, Date.now());

const hydrateOptions = { defaultOptions: { deserializeData: deserializeHistory } };

export function LeaseClient({ leaseKey, initialLease, history }: { leaseKey: LeaseKey; initialLease: LeaseDto; history: PrefetchedHistory }) {
  // Server rendering shows the history as loading anyway: only the browser unpacks it.
  return (
    <HydrationBoundary state={isServer ? undefined : history.state} options={hydrateOptions}>
      <LeaseView leaseKey={leaseKey} initialLease={initialLease} initialNow={history.now} />
    </HydrationBoundary>
  );
}

function LeaseView({ leaseKey, initialLease, initialNow }: { leaseKey: LeaseKey; initialLease: LeaseDto; initialNow: number }) {
  const mode = useTimeZone();
  const [params, setParams] = useQueryStates(leaseSearchParams);
  // The server's clock: the first render resolves the window the server prefetched, under the same key.
  const [now, setNow] = useState(initialNow);
  const [tableRows, setTableRows] = useState(100);
  const base = `/api/leases/${encodeURIComponent(leaseKey.cluster)}/${encodeURIComponent(leaseKey.namespace)}/${encodeURIComponent(leaseKey.name)}`;
  const sliding = isSliding(params);
  const { from, to, rangeKey } = resolveHistoryWindow(params, now);
  const search = () => {
    const range = sliding ? slideRange(params) : { from, to };
    if (sliding) setNow(range.to);
    return leaseHistorySearch(leaseKey, range);
  };

  const lease = useQuery({ queryKey: leaseQueryKeys.detail(leaseKey), queryFn: () => fetchJson<LeaseResponse>(base), initialData: { lease: initialLease } }).data.lease;
  const transitionsQuery = useQuery({
    queryKey: leaseQueryKeys.transitions(leaseKey, rangeKey),
    queryFn: () => fetchJson<TransitionsResponse>(`${base}/transitions?${new URLSearchParams(search().transitions)}`),
    placeholderData: keepPreviousData,
  });
  const renewalsQuery = useQuery({
    queryKey: leaseQueryKeys.renewals(leaseKey, rangeKey),
    queryFn: () => fetchJson<RenewalsResponse>(`${base}/renewals?${new URLSearchParams(search().renewals)}`),
    placeholderData: keepPreviousData,
  });
  const annotationsQuery = useQuery({
    queryKey: leaseQueryKeys.annotations(leaseKey, rangeKey),
    queryFn: () => fetchJson<AnnotationsResponse>(`/api/annotations?${new URLSearchParams(search().annotations)}`),
    placeholderData: keepPreviousData,
  });
  const gapsQuery = useQuery({
    queryKey: leaseQueryKeys.gaps(leaseKey, rangeKey),
    queryFn: () => fetchJson<GapsResponse>(`/api/gaps?${new URLSearchParams(search().gaps)}`),
    placeholderData: keepPreviousData,
  });

  const isHydrated = useIsHydrated();
  // Read by the render benchmark: where the page's own code takes over from loading and hydrating.
  useLayoutEffect(() => void performance.mark('lease-page:mounted'), []);
  const transitions = isHydrated ? transitionsQuery : whileHydrating;
  const renewals = isHydrated ? renewalsQuery : whileHydrating;
  const annotations = isHydrated ? annotationsQuery : whileHydrating;
  const gaps = isHydrated ? gapsQuery : whileHydrating;
  const timeline = useMemo(() => {
    const items: TimelineTransition[] = (transitions.data?.transitions ?? []).map((t) => ({ ...t, at: Date.parse(t.at) }));
    return buildTimeline({
      from,
      to,
      transitions: items,
      gaps: (gaps.data?.gaps ?? []).map((gap) => ({ startedAt: Date.parse(gap.startedAt), endedAt: gap.endedAt ? Date.parse(gap.endedAt) : null, reason: gap.reason })),
      currentHolder: lease.holderIdentity,
      holderSince: lease.holderSince ? Date.parse(lease.holderSince) : null,
    });
  }, [transitions.data, gaps.data, lease.holderIdentity, lease.holderSince, from, to]);
  // Stable props, so the canvas redraws when the timeline changes and not whenever another query lands.
  const timelineRows = useMemo(() => [{ key: 'lease', label: leaseKey.name, segments: timeline.segments, markers: timeline.markers }], [leaseKey.name, timeline]);
  const isMultiDay = to - from > 86_400_000;
  const formatTick = useCallback((at: number) => formatTime(at, mode, { date: isMultiDay }), [mode, isMultiDay]);
  const renderTooltip = useCallback((hover: HoverInfo) => <TimelineTooltip hover={hover} mode={mode} />, [mode]);

  const setCustom = (start: number, end: number) => void setParams({ from: new Date(start).toISOString(), to: new Date(end).toISOString(), at: null });
  // The table follows the timeline by a render: it costs more to lay out than the canvas to draw.
  const tableTransitions = useDeferredValue(transitions.data?.transitions);
  const lastTransition = tableTransitions?.findLast((t) => t.kind === 'acquired');
  const leaseDurationMs = lease.leaseDurationSeconds === null ? null : lease.leaseDurationSeconds * 1000;

  return (
    <div className="space-y-6">
      <nav aria-label="Breadcrumb" className="text-sm text-zinc-500">
        <Link href="/" className="hover:underline">
          Fleet
        </Link>{' '}
        / {leaseKey.cluster}
      </nav>
      <header className="space-y-3">
        <h1 className="text-2xl font-semibold tracking-tight">
          {leaseKey.namespace}/{leaseKey.name}
        </h1>
        <dl className="grid grid-cols-2 gap-3 text-sm sm:grid-cols-3 lg:grid-cols-6">
          <Fact label="Holder">
            <span data-testid="current-holder" className="font-mono text-xs" title={lease.holderIdentity ?? undefined}>
              {lease.holderIdentity ?? 'nobody'}
            </span>
          </Fact>
          <Fact label="Since">
            <TimeText value={lease.holderSince} />
          </Fact>
          <Fact label="Lease duration">{lease.leaseDurationSeconds === null ? '—' : `${lease.leaseDurationSeconds} s`}</Fact>
          <Fact label="leaseTransitions">{lease.leaseTransitions ?? '—'}</Fact>
          <Fact label="Last change">{lease.lastCause ? causeLabels[lease.lastCause] ?? lease.lastCause : '—'}</Fact>
          <Fact label="Clock skew">{lease.skewSuspectedMs ? <span className="text-amber-600">suspected {formatDuration(lease.skewSuspectedMs)}</span> : 'none seen'}</Fact>
        </dl>
        {lease.deletedAt ? (
          <p className="text-sm text-red-600">
            Deleted at <TimeText value={lease.deletedAt} />
          </p>
        ) : null}
      </header>

      <RangePicker
        range={params.range}
        from={from}
        to={to}
        isCustom={!sliding}
        onPreset={(preset) => void setParams({ range: preset, from: null, to: null, at: null })}
        onCustom={setCustom}
        onZoomOut={() => {
          const size = to - from;
          setCustom(from - size / 2, Math.min(Date.now(), to + size / 2));
        }}
      />

      <section aria-labelledby="timeline-heading" className="space-y-2">
        <div className="flex items-center gap-3">
          <h2 id="timeline-heading" className="text-sm font-semibold">
            Leader timeline
          </h2>
          <Legend />
        </div>
        {transitions.isError || gaps.isError ? (
          <p role="alert" className="text-sm text-red-600">
            Could not load the history: {(transitions.error ?? gaps.error)?.message}
          </p>
        ) : transitions.isPending || gaps.isPending ? (
          <div className="h-12 animate-pulse rounded bg-zinc-100 dark:bg-zinc-900" aria-label="Loading timeline" />
        ) : (
          <TimelineCanvas
            label={`Leader timeline of ${leaseKey.namespace}/${leaseKey.name}`}
            rows={timelineRows}
            from={from}
            to={to}
            formatTick={formatTick}
            onSelectRange={setCustom}
            renderTooltip={renderTooltip}
          />
        )}
        <p className="text-xs text-zinc-500">Drag across the timeline to zoom in.</p>
      </section>

      <section aria-labelledby="annotations-heading" className="space-y-2">
        <h2 id="annotations-heading" className="text-sm font-semibold">
          Annotations <span className="font-normal text-zinc-500">· on this lease, its cluster and the whole fleet; add them in the <Link href="/audit" className="underline">audit</Link></span>
        </h2>
        {annotations.isError ? (
          <p role="alert" className="text-sm text-red-600">
            Could not load annotations: {annotations.error.message}
          </p>
        ) : annotations.data ? (
          <AnnotationList annotations={annotations.data.annotations} emptyText="No note in this range." />
        ) : (
          <div className="h-8 animate-pulse rounded bg-zinc-100 dark:bg-zinc-900" aria-label="Loading annotations" />
        )}
      </section>

      <section aria-labelledby="renew-heading" className="space-y-2">
        <h2 id="renew-heading" className="text-sm font-semibold">
          Renew latency
        </h2>
        {renewals.isError ? (
          <p role="alert" className="text-sm text-red-600">
            Could not load renewals: {renewals.error.message}
          </p>
        ) : renewals.data ? (
          renewals.data.samples.length === 0 ? (
            <p className="text-sm text-zinc-500">No renewal observed in this range.</p>
          ) : (
            <ChartRenewInterval data={renewals.data} leaseDurationMs={leaseDurationMs} from={from} to={to} mode={mode} />
          )
        ) : (
          <div className="h-56 animate-pulse rounded bg-zinc-100 dark:bg-zinc-900" aria-label="Loading renewals" />
        )}
      </section>

      <section aria-labelledby="transitions-heading" className="space-y-2">
        <h2 id="transitions-heading" className="text-sm font-semibold">
          Transitions {lastTransition ? <span className="font-normal text-zinc-500">· last: {causeLabels[lastTransition.cause ?? ''] ?? lastTransition.cause}</span> : null}
        </h2>
        <Table>
          <TableHead>
            <Th>Time</Th>
            <Th>What</Th>
            <Th numeric>Leaderless</Th>
            <Th numeric>Overlap</Th>
            <Th numeric>leaseTransitions</Th>
            <Th>
              <span className="sr-only">Show on timeline</span>
            </Th>
          </TableHead>
          <TableBody>
              {(tableTransitions ?? []).slice(-tableRows).reverse().map((t) => (
                <tr key={t.id} className={t.cause === 'early_takeover' ? 'bg-red-50 dark:bg-red-950/40' : undefined}>
                  <td className="whitespace-nowrap px-3 py-1.5">
                    <time dateTime={t.at} suppressHydrationWarning>
                      {formatTime(t.at, mode)}
                    </time>
                  </td>
                  <td className="px-3 py-1.5">
                    <span className="font-mono text-xs">{describeTransition(t)}</span>
                    {t.isRestart ? <span className="ml-2 rounded bg-violet-100 px-1 text-xs text-violet-800 dark:bg-violet-950 dark:text-violet-300">restart</span> : null}
                    {t.missedCount > 0 && t.kind !== 'missed' ? <span className="ml-2 text-xs text-orange-600">+{t.missedCount} missed</span> : null}
                  </td>
                  <td className="px-3 py-1.5 text-right tabular-nums">{formatDuration(t.leaderlessMs)}</td>
                  <td className="px-3 py-1.5 text-right tabular-nums">{formatDuration(t.overlapMs)}</td>
                  <td className="px-3 py-1.5 text-right tabular-nums">{t.leaseTransitions ?? '—'}</td>
                  <td className="px-3 py-1.5 text-right">
                    <button type="button" className="text-xs text-sky-700 hover:underline dark:text-sky-400" onClick={() => void setParams({ at: t.at, from: null, to: null })}>
                      show
                    </button>
                  </td>
                </tr>
              ))}
              {tableTransitions && tableTransitions.length === 0 ? <EmptyRow columns={6}>No change of leadership in this range.</EmptyRow> : null}
          </TableBody>
        </Table>
        {tableTransitions && tableTransitions.length > tableRows ? (
          <button type="button" onClick={() => setTableRows((rows) => rows + 500)} className="text-sm text-sky-700 hover:underline dark:text-sky-400">
            Show {Math.min(500, tableTransitions.length - tableRows)} older of {tableTransitions.length - tableRows} not shown
          </button>
        ) : null}
      </section>
    </div>
  );
}

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-zinc-500">{label}</dt>
      <dd className="truncate">{children}</dd>
    </div>
  );
}

function Legend() {
  return (
    <ul className="flex flex-wrap gap-3 text-xs text-zinc-600 dark:text-zinc-400">
      <li className="flex items-center gap-1">
        <span className="h-2.5 w-4 rounded-sm" style={{ background: holderColor('holder') }} /> holder
      </li>
      <li className="flex items-center gap-1">
        <span className="h-2.5 w-4 rounded-sm bg-red-200 ring-1 ring-red-500" /> leaderless
      </li>
      <li className="flex items-center gap-1">
        <span className="h-2.5 w-4 rounded-sm bg-zinc-200 ring-1 ring-zinc-400" /> not observed
      </li>
      <li className="flex items-center gap-1">
        <span className="text-red-600">▲</span> early takeover
      </li>
      <li className="flex items-center gap-1">
        <span className="text-violet-600">▲</span> restart
      </li>
    </ul>
  );
}

function TimelineTooltip({ hover, mode }: { hover: HoverInfo; mode: 'utc' | 'local' }) {
  const { segment, marker } = hover;
  return (
    <div className="space-y-0.5">
      <div className="text-zinc-500">{formatTime(hover.at, mode)}</div>
      {marker ? <div className="font-medium">{marker.type.replace('_', ' ')}</div> : null}
      {segment?.type === 'held' ? (
        <div>
          <span className="font-mono">{segment.holder}</span> led for {formatDuration(segment.end - segment.start)}
        </div>
      ) : null}
      {segment?.type === 'leaderless' ? <div className="text-red-600">nobody led for {formatDuration(segment.end - segment.start)}</div> : null}
      {segment?.type === 'unknown' ? <div className="text-zinc-500">not observed ({segment.reason.replace('_', ' ')})</div> : null}
    </div>
  );
}
