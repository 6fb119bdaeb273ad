import { advanceAlert, type AlertTiming } from './lifecycle';
import type { AlertSnapshot, Subject } from './types';

// When a rule's condition held for one subject; end null: still holding at the end of the data.
export type ActiveInterval = { start: number; end: number | null };

export type SubjectSignal = { subject: Subject; intervals: ActiveInterval[] };

export type PreviewFiring = { subject: Subject; firingAt: number; resolvedAt: number | null };

export function mergeIntervals(intervals: readonly ActiveInterval[]): ActiveInterval[] {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  const merged: ActiveInterval[] = [];
  for (const interval of sorted) {
    const last = merged.at(-1);
    if (last && (last.end === null || interval.start <= last.end)) {
      last.end = last.end === null || interval.end === null ? null : Math.max(last.end, interval.end);
    } else {
      merged.push({ ...interval });
    }
  }
  return merged;
}

// Periods in which something was true (leaderless, unobserved) become active once they last `thresholdMs`.
export function thresholdIntervals(periods: readonly ActiveInterval[], thresholdMs: number): ActiveInterval[] {
  return periods
    .map((period) => ({ start: period.start + thresholdMs, end: period.end }))
    .filter((interval) => interval.end === null || interval.end > interval.start);
}

// A condition known only at sample points holds from each active point to the next point.
export function sampledIntervals(points: ReadonlyArray<{ at: number; isActive: boolean }>, stepMs: number): ActiveInterval[] {
  return points.filter((point) => point.isActive).map((point) => ({ start: point.at, end: point.at + stepMs }));
}

// Replays the live lifecycle (the same advanceAlert) at every moment something can change — an
// interval starting or ending, `for` elapsing, a quiet period ending — so the preview counts the
// alerts the engine would have raised, not the times the condition flickered. One sweep: merged
// intervals are disjoint and sorted, so a cursor answers "active now?" and "last ended when?" for
// each moment in turn, and a month of a flapping lease costs O(n log n), not O(n²).
export function simulateSignal(signal: SubjectSignal, timing: AlertTiming, range: { from: number; to: number }): PreviewFiring[] {
  const intervals = mergeIntervals(signal.intervals);
  const moments: number[] = [range.to];
  for (const interval of intervals) {
    moments.push(interval.start);
    if (timing.forMs > 0) moments.push(interval.start + timing.forMs);
    if (interval.end !== null) moments.push(interval.end, interval.end + timing.quietMs);
  }
  moments.sort((a, b) => a - b);
  const firings: PreviewFiring[] = [];
  let snapshot: AlertSnapshot | null = null;
  let current: PreviewFiring | null = null;
  let cursor = 0;
  let lastEnded: number | null = null;
  let previous: number | null = null;
  for (const at of moments) {
    if (at > range.to) break;
    if (at === previous) continue;
    previous = at;
    while (cursor < intervals.length && intervals[cursor]!.end !== null && intervals[cursor]!.end! <= at) lastEnded = intervals[cursor++]!.end;
    const interval = intervals[cursor];
    const isActive = interval !== undefined && interval.start <= at;
    const advanced = advanceAlert(snapshot, { isActive, value: null, summary: '', endedAt: isActive ? null : lastEnded }, timing, at);
    snapshot = advanced.snapshot;
    for (const change of advanced.changes) {
      if (change.to === 'firing') {
        current = { subject: signal.subject, firingAt: change.at, resolvedAt: null };
        if (change.at >= range.from) firings.push(current);
      }
      if (change.from === 'firing' && change.to === 'resolved' && current) current.resolvedAt = change.at;
    }
  }
  return firings;
}
