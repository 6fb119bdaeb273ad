export const rangePresets = ['15m', '1h', '6h', '24h', '7d'] as const;

export type RangePreset = (typeof rangePresets)[number];

const presetMs: Record<RangePreset, number> = { '15m': 900_000, '1h': 3_600_000, '6h': 21_600_000, '24h': 86_400_000, '7d': 604_800_000 };

export type RangeSelection = { range: RangePreset; from: string | null; to: string | null; at: string | null };

export const maxRangeMs = 31 * 86_400_000;

// A custom from/to wins over the preset; `at` (a moment to inspect) centres a window of the preset's
// size on it. Presets slide with `now`, so an open page keeps showing the latest window.
export function resolveRange(selection: RangeSelection, now: number): { from: number; to: number } {
  const from = selection.from ? Date.parse(selection.from) : Number.NaN;
  const to = selection.to ? Date.parse(selection.to) : Number.NaN;
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
  return !(selection.from && selection.to) && !selection.at;
}
