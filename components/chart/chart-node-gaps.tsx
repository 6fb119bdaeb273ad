'use client';

import { useLayoutEffect, useRef, useState } from 'react';
import { CartesianGrid, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import { useTimeZone, useZoneName } from '@/components/ui/time-zone-select';
import type { NodeGapSeries } from '@/lib/api/context-dto';
import { formatAxisDuration, formatDuration, formatTime } from '@/lib/ui/format';
import { timeTicks } from '@/lib/ui/time-ticks';

const p50Color = '#2563eb';
const p99Color = '#a16207';
const worstColor = '#dc2626';
const chartHeight = 200;
const axisWidth = 56;

// A step of the series in words: "1 min", "3 min", "2 h".
function formatStep(ms: number): string {
  return ms % 3_600_000 === 0 ? `${ms / 3_600_000} h` : `${Math.round(ms / 60_000)} min`;
}

// Renew gap over time (p50, p99, worst per step) against the node-monitor grace period, from the rollups.
export function ChartNodeGaps({ series, from, to, gracePeriodMs, label, testId }: { series: NodeGapSeries; from: number; to: number; gracePeriodMs: number; label: string; testId: string }) {
  const mode = useTimeZone();
  const zone = useZoneName(mode);
  const wrapperRef = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState<number>();
  useLayoutEffect(() => {
    const wrapper = wrapperRef.current;
    if (!wrapper) return;
    setWidth(Math.floor(wrapper.getBoundingClientRect().width));
    const observer = new ResizeObserver((entries) => setWidth(Math.floor(entries[0]?.contentRect.width ?? 0)));
    observer.observe(wrapper);
    return () => observer.disconnect();
  }, []);
  const points = series.points.map((point) => ({ at: point.at, p50: point.p50Ms, p99: point.p99Ms, worst: point.worstMs }));
  const worst = series.points.reduce<number | null>((max, point) => (point.worstMs === null ? max : Math.max(max ?? 0, point.worstMs)), null);
  const ticks = timeTicks(from, to, Math.max(10, (width ?? 0) - axisWidth), zone);
  const isMultiDay = to - from > 86_400_000;
  return (
    <figure className="space-y-2" data-testid={testId} data-points={points.length} data-step-ms={series.stepMs}>
      <figcaption className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-zinc-700 dark:text-zinc-300">
        <span>
          {label} · per {formatStep(series.stepMs)}
        </span>
        <span className="flex items-center gap-1">
          <span className="inline-block h-0.5 w-4" style={{ background: p50Color }} aria-hidden="true" /> p50
        </span>
        <span className="flex items-center gap-1">
          <span className="inline-block h-0.5 w-4" style={{ background: p99Color }} aria-hidden="true" /> p99
        </span>
        <span className="flex items-center gap-1">
          <span className="inline-block h-0.5 w-4" style={{ background: worstColor }} aria-hidden="true" /> worst <strong data-testid={`${testId}-worst`}>{formatDuration(worst)}</strong>
        </span>
        <span className="flex items-center gap-1">
          <span className="inline-block h-0 w-4 border-t-2 border-dashed border-red-600" aria-hidden="true" /> grace period {formatDuration(gracePeriodMs)}
        </span>
      </figcaption>
      <div ref={wrapperRef} className="h-52">
        {points.length === 0 ? (
          <p className="text-sm text-zinc-600 dark:text-zinc-400">No renewals rolled up in this window.</p>
        ) : width ? (
          <LineChart width={width} height={chartHeight} data={points} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="currentColor" strokeOpacity={0.15} />
            <XAxis dataKey="at" type="number" domain={[from, to]} allowDataOverflow ticks={ticks} interval={0} tickFormatter={(at: number) => formatTime(at, mode, { date: isMultiDay, zone: false })} fontSize={11} />
            <YAxis type="number" scale="linear" width={axisWidth} tickFormatter={formatAxisDuration} fontSize={11} domain={[0, (max: number) => Math.max(max, gracePeriodMs) * 1.05]} />
            <Tooltip labelFormatter={(at) => formatTime(Number(at), mode)} formatter={(value, name) => [formatDuration(Number(value)), name]} isAnimationActive={false} />
            <ReferenceLine y={gracePeriodMs} stroke="#dc2626" strokeDasharray="4 2" label={{ value: 'grace period', fontSize: 10, fill: '#dc2626', position: 'insideTopRight' }} />
            <Line name="p50" dataKey="p50" stroke={p50Color} dot={false} strokeWidth={1.5} isAnimationActive={false} connectNulls={false} />
            <Line name="p99" dataKey="p99" stroke={p99Color} dot={false} strokeWidth={1.5} isAnimationActive={false} connectNulls={false} />
            <Line name="worst" dataKey="worst" stroke={worstColor} dot={{ r: 1.5 }} strokeWidth={1} isAnimationActive={false} connectNulls={false} />
          </LineChart>
        ) : null}
      </div>
    </figure>
  );
}
