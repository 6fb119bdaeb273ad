'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useQueryStates } from 'nuqs';
import { useMemo, useState } from 'react';
import { RangePicker } from '@/components/forms/range-picker';
import { TimelineCanvas, type TimelineRow } from '@/components/timeline/timeline-canvas';
import { useTimeZone } from '@/components/ui/time-zone-toggle';
import type { FleetTimelineResponse, GapsResponse } from '@/lib/api/dto';
import { formatDuration, formatTime } from '@/lib/ui/format';
import { fetchJson } from '@/lib/ui/fetch-json';
import { Select, fieldClass } from '@/components/ui/select';
import { leaseHref } from '@/lib/ui/links';
import { buildTimeline } from '@/lib/ui/timeline';
import { isSliding, resolveRange } from '@/lib/ui/time-range';
import { timelineSearchParams } from './search-params';

export function TimelineClient({ clusters }: { clusters: string[] }) {
  const mode = useTimeZone();
  const [params, setParams] = useQueryStates(timelineSearchParams);
  const [now, setNow] = useState(() => Date.now());
  const selection = { range: params.range, from: params.from, to: params.to, at: null };
  const sliding = isSliding(selection);
  const { from, to } = resolveRange(selection, now);
  const rangeKey = sliding ? params.range : `${from}-${to}`;
  const rangeQuery = () => {
    const range = sliding ? resolveRange(selection, Date.now()) : { from, to };
    if (sliding) setNow(range.to);
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
    return timeline.data.leases.map((lease) => {
      const built = buildTimeline({
        from,
        to,
        transitions: timeline.data.transitions
          .filter((t) => t.cluster === lease.cluster && t.namespace === lease.namespace && t.name === lease.name)
          .map((t) => ({ ...t, at: Date.parse(t.at) })),
        gaps: (gaps.data?.gaps ?? [])
          .filter((gap) => gap.cluster === lease.cluster)
          .map((gap) => ({ startedAt: Date.parse(gap.startedAt), endedAt: gap.endedAt ? Date.parse(gap.endedAt) : null, reason: gap.reason })),
        currentHolder: lease.holderIdentity,
        holderSince: lease.holderSince ? Date.parse(lease.holderSince) : null,
      });
      return {
        key: `${lease.cluster}/${lease.namespace}/${lease.name}`,
        label: (
          <Link href={leaseHref(lease)} className="hover:underline" title={`${lease.cluster} / ${lease.namespace}/${lease.name}`}>
            <span className="text-zinc-500">{lease.cluster}</span> {lease.name}
          </Link>
        ),
        segments: built.segments,
        markers: built.markers,
      };
    });
  }, [timeline.data, gaps.data, from, to]);

  const setCustom = (start: number, end: number) => void setParams({ from: new Date(start).toISOString(), to: new Date(end).toISOString() });
  const failovers = timeline.data?.transitions.filter((t) => t.kind === 'acquired' && t.cause !== 'first').length ?? 0;

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
          isCustom={!sliding}
          onPreset={(preset) => void setParams({ range: preset, from: null, to: null })}
          onCustom={setCustom}
          onZoomOut={() => {
            const size = to - from;
            setCustom(from - size / 2, Math.min(Date.now(), to + size / 2));
          }}
        />
        <Select aria-label="Cluster" value={params.cluster} onChange={(event) => void setParams({ cluster: event.target.value || null })}>
          <option value="">All clusters</option>
          {clusters.map((cluster) => (
            <option key={cluster}>{cluster}</option>
          ))}
        </Select>
        <input
          aria-label="Namespace"
          placeholder="namespace"
          defaultValue={params.namespace}
          onKeyDown={(event) => {
            if (event.key === 'Enter') void setParams({ namespace: event.currentTarget.value || null });
          }}
          className={`w-40 ${fieldClass}`}
        />
      </div>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        {timeline.data ? `${timeline.data.leases.length} leases · ${failovers} failovers in range` : '\u00a0'}
        {timeline.data?.hasMoreLeases ? ' · more leases match: narrow by cluster or namespace' : ''}
      </p>
      {timeline.isError ? (
        <p role="alert" className="text-sm text-red-600">
          Could not load the timeline: {timeline.error.message}
        </p>
      ) : timeline.isPending ? (
        <div className="h-40 animate-pulse rounded bg-zinc-100 dark:bg-zinc-900" aria-label="Loading timeline" />
      ) : rows.length === 0 ? (
        <p className="text-sm text-zinc-500">No elected lease matches these filters.</p>
      ) : (
        <TimelineCanvas
          label="Fleet leader timeline"
          rows={rows}
          from={from}
          to={to}
          formatTick={(at) => formatTime(at, mode, { date: to - from > 86_400_000 })}
          onSelectRange={setCustom}
          renderTooltip={(hover) => (
            <div className="space-y-0.5">
              <div className="font-medium">{hover.row.key}</div>
              <div className="text-zinc-500">{formatTime(hover.at, mode)}</div>
              {hover.marker ? <div>{hover.marker.type.replace('_', ' ')}</div> : null}
              {hover.segment?.type === 'held' ? <div className="font-mono">{hover.segment.holder}</div> : null}
              {hover.segment?.type === 'leaderless' ? <div className="text-red-600">nobody led for {formatDuration(hover.segment.end - hover.segment.start)}</div> : null}
              {hover.segment?.type === 'unknown' ? <div className="text-zinc-500">not observed</div> : null}
            </div>
          )}
        />
      )}
    </div>
  );
}
