import { describeBandFact, type DegradedBandFact } from '../leases/failover-hint';

// A band as drawn: its time span inside the view (an open band runs to now) and its pixels.
export type BandSpan = { band: DegradedBandFact; start: number; end: number; x: number; width: number };

// "API server degraded" bands over [from, to): clipped to the view, an open band up to `now`, at least
// one pixel wide so a short stall stays visible at 24 h. Oldest first, as they are drawn.
export function layoutBands(bands: readonly DegradedBandFact[], view: { from: number; to: number; now: number; left: number; plotWidth: number }): BandSpan[] {
  const { from, to, now, left, plotWidth } = view;
  if (!(to > from)) return [];
  const xOf = (at: number) => left + ((at - from) / (to - from)) * plotWidth;
  const spans: BandSpan[] = [];
  for (const band of bands) {
    const until = band.endedAt ?? now;
    if (band.startedAt >= to || until < from) continue;
    const start = Math.max(from, band.startedAt);
    const end = Math.min(to, Math.max(start, until));
    const x = Math.floor(xOf(start));
    spans.push({ band, start, end, x, width: Math.max(1, Math.ceil(xOf(end)) - x) });
  }
  return spans.sort((a, b) => a.start - b.start);
}

// The `now` the bands of these rows are laid out at: the clock only while one of them is open, since
// only an open band grows with it. Otherwise the view's end, which stays put as the clock ticks, so the
// canvas does not redraw thousands of segments every second for nothing.
export function bandClock(rows: readonly { bands?: readonly DegradedBandFact[] }[], now: number, to: number): number {
  return rows.some((row) => row.bands?.some((band) => band.endedAt === null) ?? false) ? now : to;
}

// The band under a pixel, if any (the latest drawn there): by pixel, so a one-pixel band can be hovered.
export function findBandAt(spans: readonly BandSpan[], x: number): BandSpan | undefined {
  return spans.findLast((span) => span.x <= x && x < span.x + span.width);
}

export function describeBand(band: DegradedBandFact): string {
  return `API server degraded: ${describeBandFact(band)}`;
}
