'use client';

import { useCallback, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { holderColor } from '@/lib/ui/format';
import type { Marker, Segment } from '@/lib/ui/timeline';
import { findSegmentAt, layoutMarkers, layoutSegments } from '@/lib/ui/timeline-layout';

export type TimelineRow = { key: string; label: ReactNode; segments: Segment[]; markers: Marker[] };

export type HoverInfo = { row: TimelineRow; at: number; segment: Segment | undefined; marker: Marker | undefined; x: number; y: number };

const rowHeight = 28;
const axisHeight = 22;
const markerColors: Record<Marker['type'], string> = {
  early_takeover: '#dc2626',
  restart: '#7c3aed',
  missed: '#ea580c',
  resumed: '#0891b2',
  unknown_cause: '#71717a',
  reset: '#be185d',
};

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

function ticks(from: number, to: number, width: number): number[] {
  const steps = [1_000, 5_000, 15_000, 60_000, 300_000, 900_000, 3_600_000, 10_800_000, 21_600_000, 86_400_000];
  const wanted = Math.max(2, Math.floor(width / 120));
  const step = steps.find((candidate) => (to - from) / candidate <= wanted) ?? 86_400_000;
  const result: number[] = [];
  for (let at = Math.ceil(from / step) * step; at < to; at += step) result.push(at);
  return result;
}

// Canvas, not SVG: thousands of segments stay cheap to draw and to hover.
export function TimelineCanvas({
  rows,
  from,
  to,
  formatTick,
  onSelectRange,
  renderTooltip,
  label,
}: {
  rows: TimelineRow[];
  from: number;
  to: number;
  formatTick: (at: number) => string;
  onSelectRange?: (from: number, to: number) => void;
  renderTooltip: (hover: HoverInfo) => ReactNode;
  label: string;
}) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const wrapperRef = useRef<HTMLDivElement>(null);
  // Measured before the first draw, so thousands of segments are drawn once and not again on resize.
  const [measuredWidth, setWidth] = useState<number>();
  const width = measuredWidth ?? 800;
  const [hover, setHover] = useState<HoverInfo | undefined>();
  const [drag, setDrag] = useState<{ start: number; current: number } | undefined>();
  const labelWidth = rows.length > 1 ? 220 : 0;
  const height = rows.length * rowHeight + axisHeight;
  const plotWidth = Math.max(10, width - labelWidth);
  const xOf = useCallback((at: number) => labelWidth + ((at - from) / (to - from)) * plotWidth, [from, to, plotWidth, labelWidth]);
  const atOf = useCallback((x: number) => from + ((x - labelWidth) / plotWidth) * (to - from), [from, to, plotWidth, labelWidth]);

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
    const isDark = window.matchMedia('(prefers-color-scheme: dark)').matches;
    const patterns: Record<string, CanvasPattern | string> = {
      leaderless: hatch(context, '#dc2626', isDark ? '#450a0a' : '#fee2e2'),
      unknown: hatch(context, isDark ? '#52525b' : '#a1a1aa', isDark ? '#18181b' : '#f4f4f5'),
    };
    const colors = new Map<string, string>();
    const fillOf = (segment: Segment) => {
      if (segment.type !== 'held') return segment.type;
      let color = colors.get(segment.holder);
      if (color === undefined) colors.set(segment.holder, (color = holderColor(segment.holder)));
      return color;
    };
    rows.forEach((row, index) => {
      const y = index * rowHeight + 4;
      for (const [fill, runs] of layoutSegments(row.segments, { xOf, left: labelWidth, right: width, fillOf })) {
        context.fillStyle = patterns[fill] ?? fill;
        context.beginPath();
        for (let run = 0; run < runs.length; run += 2) context.rect(runs[run]!, y, runs[run + 1]!, rowHeight - 8);
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
    for (const at of ticks(from, to, plotWidth)) {
      const x = xOf(at);
      context.fillRect(x, axisY, 1, 4);
      context.fillText(formatTick(at), x + 2, axisY + 15);
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
  }, [rows, measuredWidth, width, height, from, to, xOf, drag, formatTick, plotWidth, labelWidth]);

  const locate = (event: React.PointerEvent<HTMLCanvasElement>): HoverInfo | undefined => {
    const rect = event.currentTarget.getBoundingClientRect();
    const x = event.clientX - rect.left;
    const y = event.clientY - rect.top;
    const row = rows[Math.floor(y / rowHeight)];
    if (!row || x < labelWidth) return undefined;
    const at = atOf(x);
    const tolerance = ((to - from) / plotWidth) * 5;
    const marker = row.markers.find((candidate) => Math.abs(candidate.at - at) <= tolerance);
    const segment = findSegmentAt(row.segments, at);
    return { row, at, segment, marker, x, y };
  };

  return (
    <div ref={wrapperRef} className="relative select-none" aria-label={label} role="img">
      {labelWidth > 0 ? (
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
        style={{ width, height }}
        className="block cursor-crosshair"
        onPointerMove={(event) => {
          const info = locate(event);
          setHover(info);
          if (drag) setDrag({ ...drag, current: event.clientX - event.currentTarget.getBoundingClientRect().left });
        }}
        onPointerLeave={() => setHover(undefined)}
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
      {hover && (hover.segment || hover.marker) ? (
        <div
          role="tooltip"
          className="pointer-events-none absolute z-10 max-w-xs rounded-md border border-zinc-200 bg-white px-2 py-1 text-xs shadow-md dark:border-zinc-700 dark:bg-zinc-900"
          style={{ left: Math.min(hover.x + 12, width - 260), top: hover.y + 12 }}
        >
          {renderTooltip(hover)}
        </div>
      ) : null}
    </div>
  );
}
