import { describe, expect, it } from 'vitest';
import type { Marker, Segment } from '../../../lib/ui/timeline';
import { findSegmentAt, layoutMarkers, layoutSegments } from '../../../lib/ui/timeline-layout';

const held = (start: number, end: number, holder: string): Segment => ({ type: 'held', start, end, holder });
const leaderless = (start: number, end: number): Segment => ({ type: 'leaderless', start, end });
const fillOf = (segment: Segment) => (segment.type === 'held' ? segment.holder : segment.type);
// One time unit is one pixel unless a test says otherwise.
const layout = (segments: Segment[], options: { scale?: number; left?: number; right?: number } = {}) =>
  Object.fromEntries(layoutSegments(segments, { xOf: (at) => at * (options.scale ?? 1), left: options.left ?? 0, right: options.right ?? 100, fillOf, }));

describe('layoutSegments', () => {
  it('turns segments into runs of whole pixels, one list per fill', () => {
    expect(layout([held(0, 40, 'a'), leaderless(40, 50), held(50, 100, 'b')])).toEqual({ a: [0, 40], leaderless: [40, 10], b: [50, 50] });
  });

  it('joins the pixels of one fill that touch into one run', () => {
    expect(layout([held(0, 30, 'a'), held(30, 60, 'a'), held(60, 100, 'b')])).toEqual({ a: [0, 60], b: [60, 40] });
    expect(layout([held(0, 30, 'a'), held(30, 60, 'b'), held(60, 100, 'a')])).toEqual({ a: [0, 30, 60, 40], b: [30, 30] });
  });

  it('gives each pixel to the last segment over its centre, as drawing them in order would', () => {
    // 0.3 px of a, then 0.4 px leaderless (over the centre 0.5), then b from 0.7 px.
    expect(layout([held(0, 3, 'a'), leaderless(3, 7), held(7, 1000, 'b')], { scale: 0.1 })).toEqual({ leaderless: [0, 1], b: [1, 99] });
  });

  it('still shows a segment narrower than a pixel when nothing follows it there', () => {
    expect(layout([held(0, 50, 'a'), leaderless(50.2, 50.4)])).toEqual({ a: [0, 50], leaderless: [50, 1] });
  });

  it('clips to the plot and skips what lies outside it', () => {
    expect(layout([held(-50, 10, 'a'), held(10, 150, 'b'), held(150, 200, 'c')], { left: 5, right: 60 })).toEqual({ a: [5, 5], b: [10, 50] });
  });

  it('draws thousands of sub-pixel segments as at most one run per pixel', () => {
    const segments = Array.from({ length: 10_000 }, (_, i) => (i % 2 === 0 ? held(i, i + 1, `h${i % 3}`) : leaderless(i, i + 1)));
    const runs = layoutSegments(segments, { xOf: (at) => at / 10, left: 0, right: 1_000, fillOf });
    const rectangles = [...runs.values()].reduce((sum, list) => sum + list.length / 2, 0);
    const pixels = [...runs.values()].reduce((sum, list) => sum + list.filter((_, i) => i % 2 === 1).reduce((a, b) => a + b, 0), 0);
    expect(rectangles).toBeLessThanOrEqual(1_000);
    expect(pixels).toBe(1_000);
  });

  it('draws nothing for no segments', () => {
    expect(layout([])).toEqual({});
  });
});

describe('layoutMarkers', () => {
  it('groups marker positions by type', () => {
    const transition = { id: '1', kind: 'acquired' as const, cause: null, at: 0, fromHolder: null, toHolder: null, isRestart: false, leaderlessMs: null, overlapMs: null, missedCount: 0 };
    const markers: Marker[] = [
      { at: 10, type: 'early_takeover', transition },
      { at: 20, type: 'restart', transition },
      { at: 30, type: 'early_takeover', transition },
    ];
    expect(Object.fromEntries(layoutMarkers(markers, (at) => at * 2))).toEqual({ early_takeover: [20, 60], restart: [40] });
  });
});

describe('findSegmentAt', () => {
  const segments = [held(0, 10, 'a'), leaderless(10, 12), held(15, 30, 'b')];

  it('finds the segment whose half-open span holds the moment', () => {
    expect(findSegmentAt(segments, 0)).toBe(segments[0]);
    expect(findSegmentAt(segments, 9.9)).toBe(segments[0]);
    expect(findSegmentAt(segments, 10)).toBe(segments[1]);
    expect(findSegmentAt(segments, 29)).toBe(segments[2]);
  });

  it('finds nothing between segments or outside them', () => {
    expect(findSegmentAt(segments, 13)).toBeUndefined();
    expect(findSegmentAt(segments, 30)).toBeUndefined();
    expect(findSegmentAt(segments, -1)).toBeUndefined();
    expect(findSegmentAt([], 5)).toBeUndefined();
  });
});
