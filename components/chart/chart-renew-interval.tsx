'use client';

import { useLayoutEffect, useRef, useState } from 'react';
import { CartesianGrid, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import type { RenewalsResponse } from '@/lib/api/dto';
import { formatAxisDuration, formatDuration, formatTime, type TimeZoneMode } from '@/lib/ui/format';
import { timeTicks } from '@/lib/ui/time-ticks';

const intervalColor = '#2563eb';
const lagColor = '#a16207';
const chartHeight = 224;

// Renewal interval against the line it must stay under (the lease duration), with observation lag. Its
// plot spans exactly the leader timeline's (same range, ticks and margins), and both share a crosshair.
export function ChartRenewInterval({
  data,
  leaseDurationMs,
  from,
  to,
  mode,
  zone,
  gutter,
  crosshairAt,
  onHoverAt,
}: {
  data: RenewalsResponse;
  leaseDurationMs: number | null;
  from: number;
  to: number;
  mode: TimeZoneMode;
  zone: string;
  gutter: { left: number; right: number };
  crosshairAt: number | null;
  onHoverAt: (at: number | null) => void;
}) {
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
  const points = data.samples.map((sample) => ({ at: Date.parse(sample.renewTime), interval: sample.intervalMs, lag: sample.lagMs }));
  const { intervalMs, lagMs } = data.stats;
  const plotWidth = Math.max(10, (width ?? 0) - gutter.left - gutter.right);
  const ticks = timeTicks(from, to, plotWidth, zone);
  const isMultiDay = to - from > 86_400_000;
  return (
    <figure className="space-y-2" data-testid="renew-chart" data-points={points.length}>
      <figcaption className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-zinc-700 dark:text-zinc-300">
        <span>
          {data.stats.count} renewal{data.stats.count === 1 ? '' : 's'}
          {data.downsampled ? ` (drawn: ${points.length}, the slowest per ${formatDuration(data.bucketMs)})` : ''}
        </span>
        <span className="flex items-center gap-1">
          <span className="inline-block h-0.5 w-4" style={{ background: intervalColor }} aria-hidden="true" /> renew interval: p50 <strong>{formatDuration(intervalMs.p50)}</strong> · p95{' '}
          <strong>{formatDuration(intervalMs.p95)}</strong> · p99 <strong>{formatDuration(intervalMs.p99)}</strong>
        </span>
        <span className="flex items-center gap-1">
          <span className="inline-block h-0.5 w-4" style={{ background: lagColor }} aria-hidden="true" /> observation lag (renewTime → seen): p50 {formatDuration(lagMs.p50)} · p95 {formatDuration(lagMs.p95)} · p99{' '}
          {formatDuration(lagMs.p99)}
        </span>
        {leaseDurationMs ? (
          <span className="flex items-center gap-1">
            <span className="inline-block h-0 w-4 border-t-2 border-dashed border-red-600" aria-hidden="true" /> lease duration {formatDuration(leaseDurationMs)}
          </span>
        ) : null}
        {data.rawFrom ? (
          <span className="text-amber-800 dark:text-amber-300" data-testid="renew-chart-rollups-note">
            Before {formatTime(data.rawFrom, mode, { date: true })} raw samples are past retention: points and percentiles there come from per-minute rollups (slowest
            renewal per minute, percentiles within {Math.round((data.stats.percentileRelativeError ?? 0) * 1000) / 10} %).
          </span>
        ) : null}
      </figcaption>
      <div
        ref={wrapperRef}
        className="h-56"
        data-testid="renew-chart-plot"
        data-plot-left={gutter.left}
        data-plot-width={plotWidth}
        data-crosshair-at={crosshairAt ?? undefined}
        onPointerMove={(event) => {
          const x = event.clientX - event.currentTarget.getBoundingClientRect().left - gutter.left;
          onHoverAt(x >= 0 && x <= plotWidth ? from + (x / plotWidth) * (to - from) : null);
        }}
        onPointerLeave={() => onHoverAt(null)}
      >
        {width ? (
          <LineChart width={width} height={chartHeight} data={points} margin={{ top: 8, right: gutter.right, bottom: 0, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="currentColor" strokeOpacity={0.15} />
            <XAxis
              dataKey="at"
              type="number"
              domain={[from, to]}
              allowDataOverflow
              ticks={ticks}
              interval={0}
              tickFormatter={(at: number) => formatTime(at, mode, { date: isMultiDay, zone: false })}
              fontSize={11}
            />
            <YAxis
              type="number"
              scale="linear"
              width={gutter.left}
              tickFormatter={formatAxisDuration}
              fontSize={11}
              domain={[0, (max: number) => Math.max(max, leaseDurationMs ?? 0) * 1.05]}
            />
            <Tooltip labelFormatter={(at) => formatTime(Number(at), mode)} formatter={(value, name) => [formatDuration(Number(value)), name]} isAnimationActive={false} />
            {leaseDurationMs ? <ReferenceLine y={leaseDurationMs} stroke="#dc2626" strokeDasharray="4 2" label={{ value: 'lease duration', fontSize: 10, fill: '#dc2626', position: 'insideTopRight' }} /> : null}
            {crosshairAt !== null ? <ReferenceLine x={crosshairAt} stroke="#f59e0b" ifOverflow="hidden" /> : null}
            <Line name="renew interval" dataKey="interval" stroke={intervalColor} dot={{ r: 1.5 }} strokeWidth={1} isAnimationActive={false} connectNulls={false} />
            <Line name="observation lag" dataKey="lag" stroke={lagColor} dot={false} strokeWidth={1} isAnimationActive={false} connectNulls={false} />
          </LineChart>
        ) : null}
      </div>
    </figure>
  );
}
