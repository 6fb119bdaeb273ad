'use client';

import { useCallback, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useIsDark } from '@/components/ui/use-is-dark';
import { formatDuration } from '@/lib/ui/format';
import { stateColors } from '@/lib/ui/holder-colors';
import { timeTicks } from '@/lib/ui/time-ticks';
import type { DegradedBandFact } from '@/lib/leases/failover-hint';
import type { Marker, Segment } from '@/lib/ui/timeline';
import { bandClock, describeBand, findBandAt, layoutBands, type BandSpan } from '@/lib/ui/timeline-bands';
import { findSegmentAt, layoutMarkers, layoutSegments } from '@/lib/ui/timeline-layout';

/** `bands`: the "API server degraded" bands of the row's cluster, laid over its segments */
export type TimelineRow = { key: string; label: ReactNode; segments: Segment[]; markers: Marker[]; bands?: readonly DegradedBandFact[] };

export type HoverInfo = { row: TimelineRow; at: number; segment: Segment | undefined; marker: Marker | undefined; band: DegradedBandFact | undefined; x: number; y: number };

const rowHeight = 28;
const axisHeight = 22;
export const markerColors: Record<Marker['type'], string> = {
  early_takeover: '#dc2626',
  restart: '#7c3aed',
  missed: '#ea580c',
  resumed: '#0891b2',
  reset: '#be185d',
  unknown_cause: '#71717a',
};
export const markedMomentColor = '#0ea5e9';
export const degradedBandColor = 'rgba(245, 158, 11, 0.35)';
export const degradedBandEdgeColor = '#d97706';
const crosshairColor = '#f59e0b';

function hatch(context: CanvasRenderingContext2D, color: string, background: string): CanvasPattern | string {
  const tile = document.createElement('canvas');
  tile.width = tile.height = 8;
  const tileContext = tile.getContext('2d');
  if (!tileContext) return color;
  tileContext.fillStyle = background;
  tileContext.fillRect(0, 0, 8, 8);
  tileContext.strokeStyle = color;
  tileContext.lineWidth = 2;
  tileContext.beginPath();
  tileContext.moveTo(0, 8);
  tileContext.lineTo(8, 0);
  tileContext.stroke();
  return context.createPattern(tile, 'repeat') ?? color;
}

function describeSegment(segment: Segment): string {
  if (segment.type === 'held') return `held by ${segment.holder}`;
  if (segment.type === 'leaderless') return 'leaderless';
  if (segment.type === 'churn') return `${segment.failovers} failovers, too many to draw one by one`;
  return `not observed (${segment.reason.replaceAll('_', ' ')})`;
}

// Canvas, not SVG: thousands of segments stay cheap to draw and to hover. The keyboard moves a cursor
// from change to change (←/→, rows with ↑/↓), and a hidden list tells screen readers what is drawn.
export function TimelineCanvas({
  rows,
  from,
  to,
  zone,
  formatTick,
  formatMoment,
  onSelectRange,
  renderTooltip,
  label,
  holderColors,
  gutter,
  crosshairAt,
  onHoverAt,
  markedAt,
  now,
}: {
  rows: TimelineRow[];
  from: number;
  to: number;
  zone: string;
  formatTick: (at: number) => string;
  formatMoment: (at: number) => string;
  onSelectRange?: (from: number, to: number) => void;
  renderTooltip: (hover: HoverInfo) => ReactNode;
  label: string;
  holderColors: Map<string, string>;
  /** a single row drawn under another chart: the same left and right margins as that chart */
  gutter?: { left: number; right: number };
  crosshairAt?: number | null;
  onHoverAt?: (at: number | null) => void;
  markedAt?: number | null;
  /** where an open "API server degraded" band ends; the window's end when not given */
  now?: number;
}) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const wrapperRef = useRef<HTMLDivElement>(null);
  // Measured before the first draw, so thousands of segments are drawn once and not again on resize.
  const [measuredWidth, setWidth] = useState<number>();
  const width = measuredWidth ?? 800;
  const [hover, setHover] = useState<HoverInfo | undefined>();
  const [drag, setDrag] = useState<{ start: number; current: number } | undefined>();
  const [cursorRow, setCursorRow] = useState(0);
  const isDark = useIsDark();
  const labelWidth = gutter ? gutter.left : rows.length > 1 ? (width < 640 ? 112 : 220) : 0;
  const rightGutter = gutter?.right ?? 0;
  const height = rows.length * rowHeight + axisHeight;
  const plotWidth = Math.max(10, width - labelWidth - rightGutter);
  const xOf = useCallback((at: number) => labelWidth + ((at - from) / (to - from)) * plotWidth, [from, to, plotWidth, labelWidth]);
  const atOf = useCallback((x: number) => from + ((x - labelWidth) / plotWidth) * (to - from), [from, to, plotWidth, labelWidth]);
  const ticks = useMemo(() => timeTicks(from, to, plotWidth, zone), [from, to, plotWidth, zone]);
  const bandNow = bandClock(rows, now ?? to, to);
  const bandSpans = useMemo(
    () => new Map(rows.map((row) => [row.key, layoutBands(row.bands ?? [], { from, to, now: bandNow, left: labelWidth, plotWidth })] as const)),
    [rows, from, to, bandNow, labelWidth, plotWidth],
  );

  useLayoutEffect(() => {
    const wrapper = wrapperRef.current;
    if (!wrapper) return;
    setWidth(Math.floor(wrapper.getBoundingClientRect().width));
    const observer = new ResizeObserver((entries) => setWidth(Math.floor(entries[0]?.contentRect.width ?? 800)));
    observer.observe(wrapper);
    return () => observer.disconnect();
  }, []);

  // Drawn before the browser paints, so a new timeline never shows as an empty canvas for a frame.
  useLayoutEffect(() => {
    const canvas = canvasRef.current;
    const context = canvas?.getContext('2d');
    if (!canvas || !context || measuredWidth === undefined) return;
    const drawStartedAt = performance.now();
    const ratio = window.devicePixelRatio || 1;
    canvas.width = width * ratio;
    canvas.height = height * ratio;
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, width, height);
    const background = isDark ? '#09090b' : '#ffffff';
    const patterns: Record<string, CanvasPattern | string> = {
      leaderless: hatch(context, stateColors.leaderless, isDark ? '#450a0a' : '#fee2e2'),
      unknown: hatch(context, isDark ? '#52525b' : stateColors.unknown, isDark ? '#18181b' : '#f4f4f5'),
      churn: hatch(context, stateColors.churn, isDark ? '#431407' : '#ffedd5'),
    };
    const fillOf = (segment: Segment) => (segment.type === 'held' ? (holderColors.get(segment.holder) ?? '#2563eb') : segment.type);
    const right = labelWidth + plotWidth;
    rows.forEach((row, index) => {
      const y = index * rowHeight + 4;
      for (const [fill, runs] of layoutSegments(row.segments, { xOf, left: labelWidth, right, fillOf })) {
        context.fillStyle = patterns[fill] ?? fill;
        context.beginPath();
        for (let run = 0; run < runs.length; run += 2) context.rect(runs[run]!, y, runs[run + 1]!, rowHeight - 8);
        context.fill();
      }
      // A visible edge at every change, so a restarted process never blends into its predecessor.
      context.fillStyle = background;
      context.beginPath();
      let lastEdge = -Infinity;
      for (let index = 1; index < row.segments.length; index += 1) {
        const x = Math.round(xOf(row.segments[index]!.start));
        if (x <= labelWidth || x >= right || x - lastEdge < 3) continue;
        context.rect(x - 1, y, 2, rowHeight - 8);
        lastEdge = x;
      }
      context.fill();
      // Translucent over the segments, so the holder under a stall still shows through.
      const bands = bandSpans.get(row.key) ?? [];
      if (bands.length > 0) {
        context.fillStyle = degradedBandColor;
        context.beginPath();
        for (const band of bands) context.rect(band.x, y - 4, band.width, rowHeight);
        context.fill();
        context.fillStyle = degradedBandEdgeColor;
        context.beginPath();
        for (const band of bands) context.rect(band.x, y - 4, band.width, 2);
        context.fill();
      }
      for (const [type, positions] of layoutMarkers(row.markers, xOf)) {
        context.fillStyle = markerColors[type];
        context.beginPath();
        for (const x of positions) {
          context.moveTo(x, y - 3);
          context.lineTo(x - 4, y + 3);
          context.lineTo(x + 4, y + 3);
          context.closePath();
        }
        context.fill();
      }
    });
    context.fillStyle = isDark ? '#a1a1aa' : '#52525b';
    context.font = '11px ui-sans-serif, system-ui, sans-serif';
    const axisY = rows.length * rowHeight;
    for (const at of ticks) {
      const x = xOf(at);
      context.fillRect(x, axisY, 1, 4);
      const text = formatTick(at);
      const textWidth = context.measureText(text).width;
      context.fillText(text, Math.min(Math.max(labelWidth, x - textWidth / 2), width - textWidth), axisY + 15);
    }
    if (markedAt !== null && markedAt !== undefined && markedAt >= from && markedAt < to) {
      const x = Math.round(xOf(markedAt));
      context.fillStyle = markedMomentColor;
      context.fillRect(x - 1, 0, 2, axisY);
      context.beginPath();
      context.moveTo(x - 5, 0);
      context.lineTo(x + 5, 0);
      context.lineTo(x, 6);
      context.closePath();
      context.fill();
    }
    if (crosshairAt !== null && crosshairAt !== undefined && crosshairAt >= from && crosshairAt < to) {
      context.fillStyle = crosshairColor;
      context.fillRect(Math.round(xOf(crosshairAt)), 0, 1, axisY);
    }
    // Read by the render benchmark: when the last full draw finished, how long it took and how much it drew.
    canvas.dataset.drawnAt = String(performance.now());
    performance.measure('timeline:draw', { start: drawStartedAt });
    canvas.dataset.drawnSegments = String(rows.reduce((sum, row) => sum + row.segments.length, 0));
    if (drag) {
      context.fillStyle = 'rgba(59, 130, 246, 0.2)';
      const [a, b] = [Math.min(drag.start, drag.current), Math.max(drag.start, drag.current)];
      context.fillRect(a, 0, b - a, axisY);
    }
  }, [rows, measuredWidth, width, height, from, to, xOf, drag, formatTick, plotWidth, labelWidth, holderColors, isDark, ticks, markedAt, crosshairAt, bandSpans]);

  const infoAt = (rowIndex: number, at: number, x: number): HoverInfo | undefined => {
    const row = rows[rowIndex];
    if (!row) return undefined;
    const tolerance = ((to - from) / plotWidth) * 5;
    const marker = row.markers.find((candidate) => Math.abs(candidate.at - at) <= tolerance);
    return { row, at, segment: findSegmentAt(row.segments, at), marker, band: findBandAt(bandSpans.get(row.key) ?? [], x)?.band, x, y: rowIndex * rowHeight + rowHeight };
  };

  const locate = (event: React.PointerEvent<HTMLCanvasElement>): HoverInfo | undefined => {
    const rect = event.currentTarget.getBoundingClientRect();
    const x = event.clientX - rect.left;
    const y = event.clientY - rect.top;
    if (x < labelWidth || x > labelWidth + plotWidth) return undefined;
    const info = infoAt(Math.floor(y / rowHeight), atOf(x), x);
    return info ? { ...info, y } : undefined;
  };

  const showAt = (info: HoverInfo | undefined) => {
    setHover(info);
    onHoverAt?.(info ? info.at : null);
  };

  // ←/→ jump from change to change of the focused row, ↑/↓ change rows, Esc leaves the cursor.
  const onKeyDown = (event: React.KeyboardEvent<HTMLDivElement>) => {
    const rowIndex = Math.min(cursorRow, rows.length - 1);
    const row = rows[rowIndex];
    if (!row) return;
    const current = hover?.at ?? from;
    const edges = row.segments.flatMap((segment) => [segment.start, segment.end]).filter((at) => at >= from && at < to);
    let next: number | undefined;
    let nextRow = rowIndex;
    if (event.key === 'ArrowRight') next = edges.find((at) => at > current + 1) ?? to - 1;
    else if (event.key === 'ArrowLeft') next = edges.findLast((at) => at < current - 1) ?? from;
    else if (event.key === 'Home') next = from;
    else if (event.key === 'End') next = to - 1;
    else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      nextRow = Math.max(0, Math.min(rows.length - 1, rowIndex + (event.key === 'ArrowDown' ? 1 : -1)));
      next = current;
    } else if (event.key === 'Escape') {
      showAt(undefined);
      return;
    } else return;
    event.preventDefault();
    setCursorRow(nextRow);
    // Just inside the segment that starts at a change, so the tooltip names the new state.
    const at = Math.min(to - 1, next + (to - from) / plotWidth / 2);
    showAt(infoAt(nextRow, at, xOf(at)));
  };

  return (
    <div
      ref={wrapperRef}
      className="relative select-none rounded focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500"
      role="group"
      aria-roledescription="timeline"
      aria-label={`${label}. Arrow keys move between changes.`}
      tabIndex={0}
      onKeyDown={onKeyDown}
      onBlur={() => showAt(undefined)}
    >
      {labelWidth > 0 && !gutter ? (
        <div className="absolute left-0 top-0" style={{ width: labelWidth }}>
          {rows.map((row) => (
            <div key={row.key} className="truncate pr-2 text-xs leading-7" style={{ height: rowHeight }}>
              {row.label}
            </div>
          ))}
        </div>
      ) : null}
      <canvas
        ref={canvasRef}
        data-testid="timeline-canvas"
        data-from={from}
        data-to={to}
        data-plot-left={labelWidth}
        data-plot-width={plotWidth}
        data-marked-at={markedAt ?? undefined}
        data-crosshair-at={crosshairAt ?? undefined}
        aria-hidden="true"
        style={{ width, height }}
        className="block cursor-crosshair"
        onPointerMove={(event) => {
          showAt(locate(event));
          if (drag) setDrag({ ...drag, current: event.clientX - event.currentTarget.getBoundingClientRect().left });
        }}
        onPointerLeave={() => showAt(undefined)}
        onPointerDown={(event) => {
          const x = event.clientX - event.currentTarget.getBoundingClientRect().left;
          if (onSelectRange && x >= labelWidth) setDrag({ start: x, current: x });
        }}
        onPointerUp={() => {
          if (drag && onSelectRange && Math.abs(drag.current - drag.start) > 4) {
            const [a, b] = [atOf(Math.min(drag.start, drag.current)), atOf(Math.max(drag.start, drag.current))];
            onSelectRange(Math.round(a), Math.round(b));
          }
          setDrag(undefined);
        }}
      />
      {hover && (hover.segment || hover.marker || hover.band) ? (
        <div
          role="tooltip"
          className="pointer-events-none absolute z-10 max-w-xs rounded-md border border-zinc-200 bg-white px-2 py-1 text-xs shadow-md dark:border-zinc-700 dark:bg-zinc-900"
          style={{ left: Math.max(0, Math.min(hover.x + 12, width - 260)), top: hover.y + 12 }}
        >
          {renderTooltip(hover)}
          {hover.band ? <BandTooltip band={hover.band} formatMoment={formatMoment} /> : null}
        </div>
      ) : null}
      <div className="sr-only" data-testid="timeline-summary">
        {rows.map((row) => (
          <ul key={row.key} aria-label={row.key} data-row={row.key}>
            {row.segments.slice(-50).map((segment) => (
              <li key={segment.start} data-type={segment.type}>
                {describeSegment(segment)}, {formatMoment(segment.start)} to {formatMoment(segment.end)} ({formatDuration(segment.end - segment.start)})
              </li>
            ))}
          </ul>
        ))}
        <BandList rows={rows} bandSpans={bandSpans} formatMoment={formatMoment} />
      </div>
    </div>
  );
}

function bandTimes({ startedAt, endedAt }: DegradedBandFact, formatMoment: (at: number) => string): string {
  return `${formatMoment(startedAt)} to ${endedAt === null ? 'now (ongoing)' : formatMoment(endedAt)}`;
}

function BandTooltip({ band, formatMoment }: { band: DegradedBandFact; formatMoment: (at: number) => string }) {
  return (
    <div className="text-amber-800 dark:text-amber-300">
      <div className="font-medium">{describeBand(band)}</div>
      <div>
        {bandTimes(band, formatMoment)}
        {band.endedAt === null ? '' : ` (${formatDuration(band.endedAt - band.startedAt)})`}
      </div>
    </div>
  );
}

// What the amber bands say, for screen readers (and for tests: canvas pixels cannot be asserted).
function BandList({ rows, bandSpans, formatMoment }: { rows: TimelineRow[]; bandSpans: Map<string, BandSpan[]>; formatMoment: (at: number) => string }) {
  const drawn = rows.flatMap((row) => (bandSpans.get(row.key) ?? []).slice(-50).map((span) => ({ row: row.key, span })));
  if (drawn.length === 0) return null;
  return (
    <ul aria-label="API server degraded" data-testid="timeline-bands">
      {drawn.map(({ row, span }) => (
        <li key={`${row}/${span.band.id}`} data-testid="timeline-band" data-row={row} data-band-id={span.band.id} data-reason={span.band.reason} data-open={span.band.endedAt === null}>
          {row}: {describeBand(span.band)}, {bandTimes(span.band, formatMoment)}
        </li>
      ))}
    </ul>
  );
}
