'use client';

import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { holderColor } from '@/lib/ui/format';
import type { Marker, Segment } from '@/lib/ui/timeline';

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
  const [width, setWidth] = useState(800);
  const [hover, setHover] = useState<HoverInfo | undefined>();
  const [drag, setDrag] = useState<{ start: number; current: number } | undefined>();
  const labelWidth = rows.length > 1 ? 220 : 0;
  const height = rows.length * rowHeight + axisHeight;
  const plotWidth = Math.max(10, width - labelWidth);
  const xOf = useCallback((at: number) => labelWidth + ((at - from) / (to - from)) * plotWidth, [from, to, plotWidth, labelWidth]);
  const atOf = useCallback((x: number) => from + ((x - labelWidth) / plotWidth) * (to - from), [from, to, plotWidth, labelWidth]);

  useEffect(() => {
    const wrapper = wrapperRef.current;
    if (!wrapper) return;
    const observer = new ResizeObserver((entries) => setWidth(Math.floor(entries[0]?.contentRect.width ?? 800)));
    observer.observe(wrapper);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    const canvas = canvasRef.current;
    const context = canvas?.getContext('2d');
    if (!canvas || !context) return;
    const ratio = window.devicePixelRatio || 1;
    canvas.width = width * ratio;
    canvas.height = height * ratio;
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, width, height);
    const isDark = window.matchMedia('(prefers-color-scheme: dark)').matches;
    const leaderless = hatch(context, '#dc2626', isDark ? '#450a0a' : '#fee2e2');
    const unknown = hatch(context, isDark ? '#52525b' : '#a1a1aa', isDark ? '#18181b' : '#f4f4f5');
    rows.forEach((row, index) => {
      const y = index * rowHeight + 4;
      for (const segment of row.segments) {
        const x0 = Math.max(labelWidth, xOf(segment.start));
        const x1 = Math.min(width, xOf(segment.end));
        if (x1 - x0 <= 0) continue;
        context.fillStyle = segment.type === 'held' ? holderColor(segment.holder) : segment.type === 'leaderless' ? leaderless : unknown;
        context.fillRect(x0, y, Math.max(1, x1 - x0), rowHeight - 8);
      }
      for (const marker of row.markers) {
        const x = xOf(marker.at);
        context.fillStyle = markerColors[marker.type];
        context.beginPath();
        context.moveTo(x, y - 3);
        context.lineTo(x - 4, y - 9 + 12);
        context.lineTo(x + 4, y - 9 + 12);
        context.closePath();
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
    // Read by the render benchmark: when the last full draw finished, and how much it drew.
    canvas.dataset.drawnAt = String(performance.now());
    canvas.dataset.drawnSegments = String(rows.reduce((sum, row) => sum + row.segments.length, 0));
    if (drag) {
      context.fillStyle = 'rgba(59, 130, 246, 0.2)';
      const [a, b] = [Math.min(drag.start, drag.current), Math.max(drag.start, drag.current)];
      context.fillRect(a, 0, b - a, axisY);
    }
  }, [rows, width, height, from, to, xOf, drag, formatTick, plotWidth, labelWidth]);

  const locate = (event: React.PointerEvent<HTMLCanvasElement>): HoverInfo | undefined => {
    const rect = event.currentTarget.getBoundingClientRect();
    const x = event.clientX - rect.left;
    const y = event.clientY - rect.top;
    const row = rows[Math.floor(y / rowHeight)];
    if (!row || x < labelWidth) return undefined;
    const at = atOf(x);
    const tolerance = ((to - from) / plotWidth) * 5;
    const marker = row.markers.find((candidate) => Math.abs(candidate.at - at) <= tolerance);
    const segment = row.segments.find((candidate) => candidate.start <= at && at < candidate.end);
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
