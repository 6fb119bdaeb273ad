'use client';

import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { RenewalsResponse } from '@/lib/api/dto';
import { formatDuration, formatTime, type TimeZoneMode } from '@/lib/ui/format';

// Renewal interval against the line it must stay under (the lease duration), with observation lag.
export function ChartRenewInterval({ data, leaseDurationMs, from, to, mode }: { data: RenewalsResponse; leaseDurationMs: number | null; from: number; to: number; mode: TimeZoneMode }) {
  const points = data.samples.map((sample) => ({ at: Date.parse(sample.renewTime), interval: sample.intervalMs, lag: sample.lagMs }));
  const { intervalMs, lagMs } = data.stats;
  return (
    <figure className="space-y-2" data-testid="renew-chart" data-points={points.length}>
      <figcaption className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-zinc-600 dark:text-zinc-400">
        <span>{data.stats.count} renewals{data.downsampled ? ` (drawn: ${points.length}, the slowest per ${formatDuration(data.bucketMs)})` : ''}</span>
        <span>
          interval p50 <strong>{formatDuration(intervalMs.p50)}</strong> · p95 <strong>{formatDuration(intervalMs.p95)}</strong> · p99 <strong>{formatDuration(intervalMs.p99)}</strong>
        </span>
        <span>
          lag p50 {formatDuration(lagMs.p50)} · p95 {formatDuration(lagMs.p95)} · p99 {formatDuration(lagMs.p99)}
        </span>
      </figcaption>
      <div className="h-56">
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={points} margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="currentColor" strokeOpacity={0.15} />
            <XAxis dataKey="at" type="number" domain={[from, to]} scale="time" tickFormatter={(at: number) => formatTime(at, mode, { date: false })} fontSize={11} />
            <YAxis tickFormatter={(ms: number) => formatDuration(ms)} fontSize={11} width={56} domain={[0, (max: number) => Math.max(max, leaseDurationMs ?? 0) * 1.05]} />
            <Tooltip labelFormatter={(at) => formatTime(Number(at), mode)} formatter={(value, name) => [formatDuration(Number(value)), name]} />
            <Legend wrapperStyle={{ fontSize: 11 }} />
            {leaseDurationMs ? <ReferenceLine y={leaseDurationMs} stroke="#dc2626" strokeDasharray="4 2" label={{ value: 'lease duration', fontSize: 10, fill: '#dc2626', position: 'insideTopRight' }} /> : null}
            <Line name="renew interval" dataKey="interval" stroke="#2563eb" dot={{ r: 1.5 }} strokeWidth={1} isAnimationActive={false} connectNulls={false} />
            <Line name="observation lag" dataKey="lag" stroke="#a1a1aa" dot={false} strokeWidth={1} isAnimationActive={false} connectNulls={false} />
          </LineChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}
