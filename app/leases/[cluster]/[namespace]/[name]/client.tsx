'use client';

import { HydrationBoundary, isServer, keepPreviousData, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useQueryStates } from 'nuqs';
import { useCallback, useDeferredValue, useLayoutEffect, useMemo, useState } from 'react';
import dynamic from 'next/dynamic';
import { AdvisorPanel } from '@/components/advisor/advisor-panel';
import { AnnotationList } from '@/components/audit/annotation-list';
import { LeaseContextPanel, useLeaseContext } from '@/components/context/lease-context-panel';
import { RangePicker } from '@/components/forms/range-picker';
import { TimelineCanvas, type HoverInfo } from '@/components/timeline/timeline-canvas';
import { TimelineLegend, markerLabels } from '@/components/timeline/timeline-legend';
import { IdentityText } from '@/components/ui/identity-text';
import { TimeText } from '@/components/ui/time-text';
import { useTimeZone, useZoneName } from '@/components/ui/time-zone-select';
import { useNow } from '@/components/ui/use-now';
import type { AnnotationsResponse } from '@/lib/api/audit-dto';
import { fromWindowStartStateDto, type GapsResponse, type LeaseDto, type LeaseResponse, type RenewalsResponse, type TransitionDto, type TransitionsResponse } from '@/lib/api/dto';
import type { LeaseKey } from '@/lib/leases/types';
import { formatDuration, formatTime, shortHolder } from '@/lib/ui/format';
import { assignHolderColors } from '@/lib/ui/holder-colors';
import { fetchJson } from '@/lib/ui/fetch-json';
import { EmptyRow, Table, TableBody, TableHead, Th } from '@/components/ui/table';
import { buildTimeline, clipTimeline, type Segment, type TimelineTransition } from '@/lib/ui/timeline';
import { deserializeHistory, leaseHistorySearch, leaseQueryKeys, resolveHistoryWindow, type PrefetchedHistory } from '@/lib/ui/lease-queries';
import { isSliding, markedMoment, resolveRange, shiftRange, zoomOutRange, type RangeSelection } from '@/lib/ui/time-range';
import type { DegradedBandFact } from '@/lib/leases/failover-hint';
import type { WindowStartState } from '@/lib/timeline/window-start';
import { leaseSearchParams } from './search-params';

// recharts is the heaviest part of the bundle: loading it after the timeline keeps hydration short.
const ChartRenewInterval = dynamic(() => import('@/components/chart/chart-renew-interval').then((module) => module.ChartRenewInterval), {
  ssr: false,
  loading: () => <div className="h-64 animate-pulse rounded bg-zinc-100 dark:bg-zinc-900" aria-label="Loading chart" />,
});

const causeLabels: Record<string, string> = { first: 'first seen', release: 'after release', expiry: 'after expiry', early_takeover: 'EARLY TAKEOVER', preferred_holder: 'preferred-holder handover', unknown: 'unknown (not observed)' };

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
      return `${t.missedCount} change${t.missedCount === 1 ? '' : 's'} happened while Leasetrail was not watching`;
    case 'resumed':
      return `${shortHolder(t.toHolder)} renewed again after it had been declared expired`;
    case 'reset':
      return `the Lease went backwards (restored or re-created): ${shortHolder(t.toHolder)} holds it now`;
    default:
      return `${t.kind}${t.toHolder ? ` → ${shortHolder(t.toHolder)}` : ''}`;
  }
}

// A sliding window moves by whole pixels (about 1,200 across), not on every tick: a 24 h chart redrawn
// every second would cost more than it shows.
function windowClock(selection: RangeSelection, now: number): number {
  const { from, to } = resolveRange(selection, now);
  const step = Math.max(1_000, Math.round((to - from) / 1_200));
  return Math.floor(now / step) * step;
}

// The timeline and the renew chart share their plot's left and right edges.
const plotGutter = { left: 64, right: 16 } as const;

// History prefetched by the server streams in as promises that may settle before hydration. The server
// rendered it as loading, so hydration must too (TanStack/query#9399); the very next render shows it.
// That render is asked for in the hydration's own commit (a layout effect), so the timeline is drawn
// before the browser paints: useSyncExternalStore only noticed the change in its passive effect, a
// task later, after a paint of the loading state. A page mounted after hydration (client-side
// navigation) shows its history in its first render.
let hasHydrated = false;
function useIsHydrated(): boolean {
  const [isHydrated, setHydrated] = useState(hasHydrated);
  useLayoutEffect(() => {
    hasHydrated = true;
    // The second pass is the point: hydration must render what the server did, the next render the history.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    setHydrated(true);
  }, []);
  return isHydrated;
}
const whileHydrating = { data: undefined, error: null, isError: false, isPending: true } as const;

// A sliding preset fetches the window ending when it asks, not when the page last rendered.
const slideRange = (selection: RangeSelection) => resolveRange(selection, Date.now());

const noBands: readonly DegradedBandFact[] = [];

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
  const zone = useZoneName(mode);
  const [params, setParams] = useQueryStates(leaseSearchParams);
  const [tableRows, setTableRows] = useState(100);
  const [hoverAt, setHoverAt] = useState<number | null>(null);
  const base = `/api/leases/${encodeURIComponent(leaseKey.cluster)}/${encodeURIComponent(leaseKey.namespace)}/${encodeURIComponent(leaseKey.name)}`;
  const sliding = isSliding(params);
  // The clock ticks: a sliding window and every "for …" grow even when nothing is sent. The first render
  // uses the server's clock, so it resolves the window the server prefetched, under the same key.
  const now = useNow(initialNow);
  const { from, to, rangeKey } = resolveHistoryWindow(params, sliding ? windowClock(params, now) : initialNow);
  const search = () => leaseHistorySearch(leaseKey, sliding ? slideRange(params) : { from, to });

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
  // The failover context panel asks for the same range: its bands are drawn on the timeline too.
  // No band is one constant, so the context's first answer with none does not redraw the timeline.
  const contextBands = useLeaseContext(leaseKey, { from, to }).data?.bands;
  const bands = contextBands && contextBands.length > 0 ? contextBands : noBands;
  // Built from where the data starts (its state at that moment, then every change), then seen from `from`.
  const fullTimeline = useMemo(() => {
    const data = transitions.data;
    const items: TimelineTransition[] = (data?.transitions ?? []).map((t) => ({ ...t, at: Date.parse(t.at) }));
    const dataFrom = data ? Math.min(from, Date.parse(data.range.from)) : from;
    return buildTimeline({
      from: dataFrom,
      to,
      transitions: items,
      gaps: (gaps.data?.gaps ?? []).map((gap) => ({ startedAt: Date.parse(gap.startedAt), endedAt: gap.endedAt ? Date.parse(gap.endedAt) : null, reason: gap.reason })),
      currentHolder: lease.holderIdentity,
      holderSince: lease.holderSince ? Date.parse(lease.holderSince) : null,
      ...(data ? { startState: fromWindowStartStateDto(data.stateAtStart) } : {}),
    });
  }, [transitions.data, gaps.data, lease.holderIdentity, lease.holderSince, from, to]);
  const timeline = useMemo(() => clipTimeline(fullTimeline, from), [fullTimeline, from]);
  // Stable props, so the canvas redraws when the timeline changes and not whenever another query lands.
  const timelineRows = useMemo(() => [{ key: 'lease', label: leaseKey.name, segments: timeline.segments, markers: timeline.markers, bands }], [leaseKey.name, timeline, bands]);
  const holderColors = useMemo(() => assignHolderColors(timeline.segments.flatMap((segment) => (segment.type === 'held' ? [segment.holder] : []))), [timeline]);
  const isMultiDay = to - from > 86_400_000;
  const formatTick = useCallback((at: number) => formatTime(at, mode, { date: isMultiDay, zone: false }), [mode, isMultiDay]);
  const formatMoment = useCallback((at: number) => formatTime(at, mode), [mode]);
  const renderTooltip = useCallback((hover: HoverInfo) => <TimelineTooltip hover={hover} mode={mode} />, [mode]);
  const markedAt = markedMoment(params);
  const tenure = describeTenure(lease, fullTimeline.segments, transitions.data ? fromWindowStartStateDto(transitions.data.stateAtStart) : undefined, now);

  const setCustom = (start: number | string, end: number | string) =>
    void setParams({ from: typeof start === 'number' ? new Date(start).toISOString() : start, to: typeof end === 'number' ? new Date(end).toISOString() : end, at: null }, { history: 'push' });
  // The table follows the timeline by a render: it costs more to lay out than the canvas to draw.
  const tableTransitions = useDeferredValue(transitions.data?.transitions);
  const lastTransition = tableTransitions?.findLast((t) => t.kind === 'acquired');
  const leaseDurationMs = lease.leaseDurationSeconds === null ? null : lease.leaseDurationSeconds * 1000;

  return (
    <div className="space-y-6">
      <nav aria-label="Breadcrumb" className="text-sm text-zinc-600 dark:text-zinc-400">
        <Link href="/" className="hover:underline">
          Fleet
        </Link>{' '}
        / {leaseKey.cluster}
      </nav>
      <header className="space-y-3">
        <h1 className="text-2xl font-semibold tracking-tight">
          {leaseKey.namespace}/{leaseKey.name}
        </h1>
        <p data-testid="tenure" data-state={tenure.state} className={`text-base font-medium ${tenure.state === 'leaderless' ? 'text-red-700 dark:text-red-400' : ''}`}>
          {tenure.text}
        </p>
        <dl className="grid grid-cols-2 gap-3 text-sm sm:grid-cols-3 lg:grid-cols-6">
          <Fact label="Holder">
            {lease.holderIdentity ? (
              <span data-testid="current-holder" data-identity={lease.holderIdentity} className="sr-only">
                {lease.holderIdentity}
              </span>
            ) : (
              <span data-testid="current-holder">nobody</span>
            )}
            {lease.holderIdentity ? <IdentityText value={lease.holderIdentity} maxChars={30} /> : null}
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
        isCustom={!sliding || Boolean(params.from && params.to)}
        fromText={params.from}
        toText={params.to}
        onPreset={(preset) => void setParams({ range: preset, from: null, to: null, at: null }, { history: 'push' })}
        onCustom={setCustom}
        onZoomOut={() => {
          const range = zoomOutRange({ from, to }, Date.now());
          setCustom(range.from, range.to);
        }}
        onShift={(direction) => {
          const range = shiftRange({ from, to }, direction, Date.now());
          setCustom(range.from, range.to);
        }}
      />

      <section aria-labelledby="timeline-heading" className="space-y-2">
        <h2 id="timeline-heading" className="text-sm font-semibold">
          Leader timeline
        </h2>
        <TimelineLegend holderColors={holderColors} hasMarkedMoment={markedAt !== null} hasDegradedBands={bands.length > 0} />
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
            zone={zone}
            formatTick={formatTick}
            formatMoment={formatMoment}
            onSelectRange={setCustom}
            renderTooltip={renderTooltip}
            holderColors={holderColors}
            gutter={plotGutter}
            crosshairAt={hoverAt}
            onHoverAt={setHoverAt}
            markedAt={markedAt}
            now={Math.min(to, now)}
          />
        )}
        <p className="text-xs text-zinc-600 dark:text-zinc-400">Drag across the timeline to zoom in; t z zooms out, t ← / t → shift the window.</p>
      </section>

      <section aria-labelledby="annotations-heading" className="space-y-2">
        <h2 id="annotations-heading" className="text-sm font-semibold">
          Annotations <span className="font-normal text-zinc-600 dark:text-zinc-400">· on this lease, its cluster and the whole fleet; add them in the <Link href="/audit" className="underline">audit</Link></span>
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
            <p className="text-sm text-zinc-600 dark:text-zinc-400">No renewal observed in this range.</p>
          ) : (
            <ChartRenewInterval
              data={renewals.data}
              leaseDurationMs={leaseDurationMs}
              from={from}
              to={to}
              mode={mode}
              zone={zone}
              gutter={plotGutter}
              crosshairAt={hoverAt}
              onHoverAt={setHoverAt}
            />
          )
        ) : (
          <div className="h-56 animate-pulse rounded bg-zinc-100 dark:bg-zinc-900" aria-label="Loading renewals" />
        )}
      </section>

      {/* Below the renew chart: the chart shares the timeline's x-axis and stays right under it. */}
      <LeaseContextPanel leaseKey={leaseKey} range={{ from, to }} now={now} />

      <section aria-labelledby="advisor-heading" className="space-y-2">
        <h2 id="advisor-heading" className="text-sm font-semibold">
          Timing advisor
        </h2>
        <AdvisorPanel leaseKey={leaseKey} />
      </section>

      <section aria-labelledby="transitions-heading" className="space-y-2">
        <h2 id="transitions-heading" className="text-sm font-semibold">
          Transitions {lastTransition ? <span className="font-normal text-zinc-600 dark:text-zinc-400">· last: {causeLabels[lastTransition.cause ?? ''] ?? lastTransition.cause}</span> : null}
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
                    <span className="break-all font-mono text-xs" title={[t.fromHolder, t.toHolder].filter(Boolean).join(' → ')}>
                      {describeTransition(t)}
                    </span>
                    {t.isRestart ? <span className="ml-2 rounded bg-violet-100 px-1 text-xs text-violet-800 dark:bg-violet-950 dark:text-violet-300">restart</span> : null}
                    {t.missedCount > 0 && t.kind !== 'missed' ? <span className="ml-2 text-xs text-orange-600">+{t.missedCount} missed</span> : null}
                  </td>
                  <td className="whitespace-nowrap px-3 py-1.5 text-right tabular-nums">{formatDuration(t.leaderlessMs)}</td>
                  <td className="whitespace-nowrap px-3 py-1.5 text-right tabular-nums">{formatDuration(t.overlapMs)}</td>
                  <td className="px-3 py-1.5 text-right tabular-nums">{t.leaseTransitions ?? '—'}</td>
                  <td className="px-3 py-1.5 text-right">
                    <button
                      type="button"
                      className="text-xs text-sky-700 hover:underline dark:text-sky-400"
                      aria-label={`Show ${formatTime(t.at, mode)} on the timeline`}
                      onClick={() => {
                        void setParams({ at: t.at, from: null, to: null }, { history: 'push' });
                        document.getElementById('timeline-heading')?.scrollIntoView({ block: 'nearest' });
                      }}
                    >
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
      <dt className="text-xs text-zinc-600 dark:text-zinc-400">{label}</dt>
      <dd className="truncate">{children}</dd>
    </div>
  );
}

type Tenure = { state: 'held' | 'leaderless' | 'unknown'; text: string };

// "Led by X for 3 m", or "Leaderless for 1 m 12 s" growing with the clock: a lease whose holder stopped
// renewing is leaderless once its lease ran out, before Leasetrail has recorded the expiry.
function describeTenure(lease: LeaseDto, segments: Segment[], startState: WindowStartState | undefined, now: number): Tenure {
  if (lease.deletedAt) return { state: 'unknown', text: 'Deleted' };
  const renewedAt = lease.renewTime ? Date.parse(lease.renewTime) : Number.NaN;
  const expiresAt = lease.leaseDurationSeconds === null ? Number.NaN : renewedAt + lease.leaseDurationSeconds * 1000;
  if (lease.holderIdentity && !(expiresAt < now)) {
    const since = lease.holderSince ? Date.parse(lease.holderSince) : Number.NaN;
    return { state: 'held', text: `Led by ${shortHolder(lease.holderIdentity)}${Number.isFinite(since) ? ` for ${formatDuration(Math.max(0, now - since))}` : ''}` };
  }
  let since = expiresAt;
  if (!lease.holderIdentity) {
    // The timeline knows when nobody started leading; until its data catches up, the lease row says
    // when Leasetrail saw the holder go.
    const last = segments.at(-1);
    if (last?.type === 'leaderless') since = last.start === segments[0]?.start && startState?.state === 'leaderless' ? startState.since : last.start;
    else since = Date.parse(lease.observedAt);
  }
  return { state: 'leaderless', text: Number.isFinite(since) ? `Leaderless for ${formatDuration(Math.max(0, now - since))}` : 'Leaderless' };
}

function TimelineTooltip({ hover, mode }: { hover: HoverInfo; mode: string }) {
  const { segment, marker } = hover;
  return (
    <div className="space-y-0.5">
      <div className="text-zinc-600 dark:text-zinc-400">{formatTime(hover.at, mode)}</div>
      {marker ? <div className="font-medium">{markerLabels[marker.type]}</div> : null}
      {segment?.type === 'held' ? (
        <div>
          <span className="font-mono">{segment.holder}</span> led for {formatDuration(segment.end - segment.start)}
        </div>
      ) : null}
      {segment?.type === 'leaderless' ? <div className="text-red-600">nobody led for {formatDuration(segment.end - segment.start)}</div> : null}
      {segment?.type === 'unknown' ? <div className="text-zinc-600 dark:text-zinc-400">not observed ({segment.reason.replace('_', ' ')})</div> : null}
    </div>
  );
}
