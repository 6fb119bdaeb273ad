'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useQueryStates } from 'nuqs';
import { useCallback, useMemo, useState } from 'react';
import { RangePicker } from '@/components/forms/range-picker';
import { TimelineCanvas, type HoverInfo, type TimelineRow } from '@/components/timeline/timeline-canvas';
import { TimelineLegend, markerLabels } from '@/components/timeline/timeline-legend';
import { IdentityText } from '@/components/ui/identity-text';
import { Select, fieldClass } from '@/components/ui/select';
import { useTimeZone, useZoneName } from '@/components/ui/time-zone-select';
import { useNow } from '@/components/ui/use-now';
import { fromWindowStartStateDto, type FleetTimelineResponse, type GapsResponse } from '@/lib/api/dto';
import { fetchJson } from '@/lib/ui/fetch-json';
import { formatDuration, formatTime, plural } from '@/lib/ui/format';
import { assignHolderColors } from '@/lib/ui/holder-colors';
import { leaseHref } from '@/lib/ui/links';
import { buildChurnTimeline, buildTimeline, clipTimeline, type Segment } from '@/lib/ui/timeline';
import { isSliding, markedMoment, rangeKeyOf, resolveRange, shiftRange, zoomOutRange, type RangeSelection } from '@/lib/ui/time-range';
import { timelineSearchParams } from './search-params';

// A sliding window fetches the range ending when it asks, not when the page last rendered.
const latestRange = (selection: RangeSelection) => resolveRange(selection, Date.now());

export function TimelineClient({ clusters, initialNow }: { clusters: string[]; initialNow: number }) {
  const mode = useTimeZone();
  const zone = useZoneName(mode);
  const [params, setParams] = useQueryStates(timelineSearchParams);
  const selection = { range: params.range, from: params.from, to: params.to, at: params.at };
  const sliding = isSliding(selection);
  // A sliding window follows the clock, so a leaderless span grows while nothing is sent.
  const now = useNow(initialNow, 1_000, sliding);
  const { from, to } = resolveRange(selection, sliding ? now : initialNow);
  const rangeKey = rangeKeyOf(selection, { from, to });
  const [hoverAt, setHoverAt] = useState<number | null>(null);
  const rangeQuery = () => {
    const range = sliding ? latestRange(selection) : { from, to };
    return `from=${new Date(range.from).toISOString()}&to=${new Date(range.to).toISOString()}`;
  };
  const filters = `${params.cluster ? `&cluster=${encodeURIComponent(params.cluster)}` : ''}${params.namespace ? `&namespace=${encodeURIComponent(params.namespace)}` : ''}`;

  const timeline = useQuery({
    queryKey: ['timeline', params.cluster, params.namespace, rangeKey],
    queryFn: () => fetchJson<FleetTimelineResponse>(`/api/timeline?${rangeQuery()}${filters}`),
    placeholderData: keepPreviousData,
  });
  const gaps = useQuery({
    queryKey: ['timeline', 'gaps', params.cluster, rangeKey],
    queryFn: () => fetchJson<GapsResponse>(`/api/gaps?${rangeQuery()}${params.cluster ? `&cluster=${encodeURIComponent(params.cluster)}` : ''}`),
    placeholderData: keepPreviousData,
  });

  const rows: TimelineRow[] = useMemo(() => {
    if (!timeline.data) return [];
    const dataFrom = Math.min(from, Date.parse(timeline.data.range.from));
    const bandsOf = new Map<string, FleetTimelineResponse['bands']>();
    for (const band of timeline.data.bands) {
      const list = bandsOf.get(band.cluster);
      if (list) list.push(band);
      else bandsOf.set(band.cluster, [band]);
    }
    return timeline.data.leases.map((lease) => {
      const leaseGaps = (gaps.data?.gaps ?? [])
        .filter((gap) => gap.cluster === lease.cluster)
        .map((gap) => ({ startedAt: Date.parse(gap.startedAt), endedAt: gap.endedAt ? Date.parse(gap.endedAt) : null, reason: gap.reason }));
      const built = lease.churn
        ? buildChurnTimeline({ buckets: lease.churn.map((bucket) => ({ ...bucket, start: Date.parse(bucket.start), end: Date.parse(bucket.end) })), gaps: leaseGaps })
        : buildTimeline({
        from: dataFrom,
        to,
        transitions: timeline.data.transitions
          .filter((t) => t.cluster === lease.cluster && t.namespace === lease.namespace && t.name === lease.name)
          .map((t) => ({ ...t, at: Date.parse(t.at) })),
        gaps: leaseGaps,
        currentHolder: lease.holderIdentity,
        holderSince: lease.holderSince ? Date.parse(lease.holderSince) : null,
        startState: fromWindowStartStateDto(lease.stateAtStart),
      });
      const { segments, markers } = clipTimeline(built, from);
      const key = `${lease.cluster}/${lease.namespace}/${lease.name}`;
      return {
        key,
        label: (
          <Link href={leaseHref(lease)} className="hover:underline" title={key}>
            <span className="text-zinc-600 dark:text-zinc-400">{lease.cluster}</span> {lease.name}
          </Link>
        ),
        segments,
        markers,
        bands: bandsOf.get(lease.cluster) ?? [],
      };
    });
  }, [timeline.data, gaps.data, from, to]);
  const holderColors = useMemo(() => assignHolderColors(rows.flatMap((row) => row.segments.flatMap((segment) => (segment.type === 'held' ? [segment.holder] : [])))), [rows]);
  const markedAt = markedMoment(selection);
  const isMultiDay = to - from > 86_400_000;
  const formatTick = useCallback((at: number) => formatTime(at, mode, { date: isMultiDay, zone: false }), [mode, isMultiDay]);
  const formatMoment = useCallback((at: number) => formatTime(at, mode), [mode]);
  const renderTooltip = useCallback(
    (hover: HoverInfo) => (
      <div className="space-y-0.5">
        <div className="font-medium">{hover.row.key}</div>
        <div className="text-zinc-600 dark:text-zinc-400">{formatTime(hover.at, mode)}</div>
        {hover.marker ? <div>{markerLabels[hover.marker.type]}</div> : null}
        {hover.segment?.type === 'held' ? (
          <div>
            <IdentityText value={hover.segment.holder} maxChars={40} /> led for {formatDuration(hover.segment.end - hover.segment.start)}
          </div>
        ) : null}
        {hover.segment?.type === 'leaderless' ? <div className="text-red-600">nobody led for {formatDuration(hover.segment.end - hover.segment.start)}</div> : null}
        {hover.segment?.type === 'churn' ? <ChurnDetail segment={hover.segment} /> : null}
        {hover.segment?.type === 'unknown' ? <div className="text-zinc-600 dark:text-zinc-400">not observed ({hover.segment.reason.replaceAll('_', ' ')})</div> : null}
      </div>
    ),
    [mode],
  );

  const setCustom = (start: number | string, end: number | string) =>
    void setParams({ from: typeof start === 'number' ? new Date(start).toISOString() : start, to: typeof end === 'number' ? new Date(end).toISOString() : end, at: null }, { history: 'push' });
  const churning = timeline.data?.leases.filter((lease) => lease.churn !== null) ?? [];
  const failovers =
    (timeline.data?.transitions.filter((t) => t.kind === 'acquired' && t.cause !== 'first').length ?? 0) +
    churning.reduce((sum, lease) => sum + (lease.churn ?? []).reduce((inLease, bucket) => inLease + bucket.failovers, 0), 0);

  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Fleet timeline</h1>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">Every elected lease on one time axis: failovers that happen together line up.</p>
      </div>
      <div className="flex flex-wrap items-center gap-2">
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
        <Select aria-label="Cluster" value={params.cluster} onChange={(event) => void setParams({ cluster: event.target.value || null }, { history: 'push' })}>
          <option value="">All clusters</option>
          {clusters.map((cluster) => (
            <option key={cluster}>{cluster}</option>
          ))}
        </Select>
        <input
          aria-label="Namespace"
          placeholder="namespace (Enter)"
          defaultValue={params.namespace}
          onKeyDown={(event) => {
            if (event.key === 'Enter') void setParams({ namespace: event.currentTarget.value || null }, { history: 'push' });
          }}
          className={`w-40 ${fieldClass}`}
        />
      </div>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        {timeline.data ? `${plural(timeline.data.leases.length, 'lease')} · ${plural(failovers, 'failover')} in range` : '\u00a0'}
        {timeline.data?.hasMoreLeases ? ' · more leases match: narrow by cluster or namespace' : ''}
        {churning.length > 0 ? ` · ${plural(churning.length, 'lease')} changed too often to draw each change: shown as churn, zoom in to see every change` : ''}
        {timeline.data?.hasMoreBands ? ` · API server degraded bands: only the newest ${timeline.data.bands.length} drawn, narrow the range to see older ones` : ''}
      </p>
      <TimelineLegend holderColors={holderColors} hasMarkedMoment={markedAt !== null} hasChurn={churning.length > 0} hasDegradedBands={(timeline.data?.bands.length ?? 0) > 0} />
      {timeline.isError ? (
        <p role="alert" className="text-sm text-red-600">
          Could not load the timeline: {timeline.error.message}
        </p>
      ) : timeline.isPending ? (
        <div className="h-40 animate-pulse rounded bg-zinc-100 dark:bg-zinc-900" aria-label="Loading timeline" />
      ) : rows.length === 0 ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">No elected lease matches these filters.</p>
      ) : (
        <TimelineCanvas
          label="Fleet leader timeline"
          rows={rows}
          from={from}
          to={to}
          zone={zone}
          formatTick={formatTick}
          formatMoment={formatMoment}
          onSelectRange={setCustom}
          renderTooltip={renderTooltip}
          holderColors={holderColors}
          crosshairAt={hoverAt}
          onHoverAt={setHoverAt}
          markedAt={markedAt}
          now={Math.min(to, now)}
        />
      )}
      <p className="text-xs text-zinc-600 dark:text-zinc-400">Drag across the timeline to zoom in; t z zooms out, t ← / t → shift the window; arrow keys move between changes.</p>
    </div>
  );
}

// A churn bucket says what it knows: always how many changes, and who led how long only where the
// rollups cover the whole bucket.
function ChurnDetail({ segment }: { segment: Extract<Segment, { type: 'churn' }> }) {
  const length = segment.end - segment.start;
  return (
    <div>
      <div className="text-orange-700 dark:text-orange-400">
        {plural(segment.failovers, 'failover')}
        {segment.missed > 0 ? ` and ${plural(segment.missed, 'missed change')}` : ''} in {formatDuration(length)}
      </div>
      {segment.ledMs !== null && segment.leaderlessMs !== null ? (
        <div>
          led {formatShare(segment.ledMs / length)}, leaderless {formatShare(segment.leaderlessMs / length)}
        </div>
      ) : (
        <div className="text-zinc-600 dark:text-zinc-400">not rolled up yet: counts only</div>
      )}
      <div className="text-zinc-600 dark:text-zinc-400">drag across to zoom in and see each change</div>
    </div>
  );
}

const formatShare = (share: number) => `${(Math.round(share * 1000) / 10).toLocaleString('en')} %`;
