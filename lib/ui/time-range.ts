import { isRelativeTime, parseTimeExpression } from './time-zone';

export const rangePresets = ['15m', '1h', '6h', '24h', '7d'] as const;

export type RangePreset = (typeof rangePresets)[number];

const presetMs: Record<RangePreset, number> = { '15m': 900_000, '1h': 3_600_000, '6h': 21_600_000, '24h': 86_400_000, '7d': 604_800_000 };

export type RangeSelection = { range: RangePreset; from: string | null; to: string | null; at: string | null };

export const maxRangeMs = 31 * 86_400_000;

// A custom from/to wins over the preset; each is an ISO instant or a relative time (`now-2h`), so a
// relative custom range slides as a preset does. `at` (a moment to inspect) centres a window of the
// preset's size on it. Presets slide with `now`, so an open page keeps showing the latest window.
export function resolveRange(selection: RangeSelection, now: number): { from: number; to: number } {
  const from = selection.from ? parseTimeExpression(selection.from, now) : Number.NaN;
  const to = selection.to ? parseTimeExpression(selection.to, now) : Number.NaN;
  if (Number.isFinite(from) && Number.isFinite(to) && from < to) return { from, to: Math.min(to, from + maxRangeMs) };
  const size = presetMs[selection.range];
  const at = selection.at ? Date.parse(selection.at) : Number.NaN;
  if (Number.isFinite(at)) {
    const end = Math.min(now, at + size / 2);
    return { from: end - size, to: end };
  }
  return { from: now - size, to: now };
}

export function isSliding(selection: RangeSelection): boolean {
  if (selection.from && selection.to) return isRelativeTime(selection.to);
  return !selection.at;
}

// The cache key of a selection: a sliding one keeps its key as `now` moves.
export function rangeKeyOf(selection: RangeSelection, range: { from: number; to: number }): string {
  if (!isSliding(selection)) return `${range.from}-${range.to}`;
  return selection.from && selection.to ? `${selection.from}..${selection.to}` : selection.range;
}

// The moment a selection marks on the timeline: `at` when no custom range overrides it.
export function markedMoment(selection: RangeSelection): number | null {
  if (selection.from && selection.to) return null;
  const at = selection.at ? Date.parse(selection.at) : Number.NaN;
  return Number.isFinite(at) ? at : null;
}

// Shifting moves the window by half its size (Grafana's `t ←/→`); zooming out doubles it around its centre.
export function shiftRange(range: { from: number; to: number }, direction: -1 | 1, now: number): { from: number; to: number } {
  const size = range.to - range.from;
  const to = Math.min(now, range.to + (direction * size) / 2);
  return { from: to - size, to };
}

export function zoomOutRange(range: { from: number; to: number }, now: number): { from: number; to: number } {
  const size = Math.min(maxRangeMs, 2 * (range.to - range.from));
  const to = Math.min(now, range.to + (range.to - range.from) / 2);
  return { from: to - size, to };
}
