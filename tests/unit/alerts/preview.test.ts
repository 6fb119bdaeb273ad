import { describe, expect, it, vi } from 'vitest';
import { flappingIntervals } from '../../../lib/alerts/conditions';
import { advanceAlert, type AlertTiming } from '../../../lib/alerts/lifecycle';
import { mergeIntervals, sampledIntervals, simulateSignal, thresholdIntervals, type ActiveInterval, type PreviewFiring, type SubjectSignal } from '../../../lib/alerts/preview';
import type { AlertSnapshot } from '../../../lib/alerts/types';
import { lease, s } from './factory';

// Every replayed moment is one advanceAlert call: counting them measures the preview's work without a clock.
vi.mock('../../../lib/alerts/lifecycle', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../../lib/alerts/lifecycle')>();
  return { ...actual, advanceAlert: vi.fn(actual.advanceAlert) };
});

const range = { from: s(0), to: s(1_000) };

describe('simulateSignal', () => {
  it('counts alerts, not flickers: intervals closer than the quiet period make one alert', () => {
    const signal = { subject: lease(), intervals: [{ start: s(10), end: s(20) }, { start: s(40), end: s(50) }, { start: s(200), end: s(210) }] };
    const firings = simulateSignal(signal, { forMs: 0, quietMs: 30_000 }, range);
    expect(firings.map((f) => [f.firingAt, f.resolvedAt])).toEqual([
      [s(10), s(80)],
      [s(200), s(240)],
    ]);
  });

  it('needs an interval to last the for duration to fire', () => {
    const signal = { subject: lease(), intervals: [{ start: s(10), end: s(20) }, { start: s(100), end: s(200) }] };
    expect(simulateSignal(signal, { forMs: 30_000, quietMs: 0 }, range).map((f) => f.firingAt)).toEqual([s(130)]);
  });

  it('leaves an alert still firing at the end of the range unresolved', () => {
    const firings = simulateSignal({ subject: lease(), intervals: [{ start: s(900), end: null }] }, { forMs: 0, quietMs: 0 }, range);
    expect(firings).toEqual([{ subject: lease(), firingAt: s(900), resolvedAt: null }]);
  });

  it('counts only alerts that fired inside the range', () => {
    const signal = { subject: lease(), intervals: [{ start: s(-50), end: s(5) }, { start: s(500), end: s(510) }] };
    expect(simulateSignal(signal, { forMs: 0, quietMs: 0 }, range).map((f) => f.firingAt)).toEqual([s(500)]);
  });
});

describe('interval helpers', () => {
  it('merge overlapping and open intervals', () => {
    expect(mergeIntervals([{ start: 5, end: 10 }, { start: 1, end: 6 }, { start: 20, end: null }, { start: 25, end: 30 }])).toEqual([
      { start: 1, end: 10 },
      { start: 20, end: null },
    ]);
  });

  it('turn periods into active intervals once they last the threshold', () => {
    expect(thresholdIntervals([{ start: 0, end: 10 }, { start: 20, end: 60 }, { start: 100, end: null }], 30)).toEqual([
      { start: 50, end: 60 },
      { start: 130, end: null },
    ]);
  });

  it('hold a sampled active point until the next sample', () => {
    expect(sampledIntervals([{ at: 0, isActive: false }, { at: 60, isActive: true }], 60)).toEqual([{ start: 60, end: 120 }]);
  });
});

// The quadratic replay the sweep replaced, kept as the reference: every moment scans every interval.
function simulateByBruteForce(signal: SubjectSignal, timing: AlertTiming, range: { from: number; to: number }): PreviewFiring[] {
  const intervals = mergeIntervals(signal.intervals);
  const isActiveAt = (at: number) => intervals.some((interval) => interval.start <= at && (interval.end === null || at < interval.end));
  const endedBy = (at: number) => {
    let ended: number | null = null;
    for (const interval of intervals) if (interval.end !== null && interval.end <= at) ended = Math.max(ended ?? interval.end, interval.end);
    return ended;
  };
  const moments = new Set<number>([range.to]);
  for (const interval of intervals) {
    moments.add(interval.start);
    if (timing.forMs > 0) moments.add(interval.start + timing.forMs);
    if (interval.end !== null) {
      moments.add(interval.end);
      moments.add(interval.end + timing.quietMs);
    }
  }
  const firings: PreviewFiring[] = [];
  let snapshot: AlertSnapshot | null = null;
  let current: PreviewFiring | null = null;
  for (const at of [...moments].filter((moment) => moment <= range.to).sort((a, b) => a - b)) {
    const isActive = isActiveAt(at);
    const advanced = advanceAlert(snapshot, { isActive, value: null, summary: '', endedAt: isActive ? null : endedBy(at) }, timing, at);
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

// mulberry32: a seeded generator, so a failing history can be reproduced from its seed.
function randomFrom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe('simulateSignal against the brute-force replay', () => {
  it('agrees on 500 random histories (overlapping, touching, open-ended intervals; any for and quiet)', () => {
    for (let seed = 1; seed <= 500; seed++) {
      const random = randomFrom(seed);
      const pick = (max: number) => Math.floor(random() * max);
      const intervals = Array.from({ length: pick(40) }, () => {
        const start = s(pick(1_200) - 100);
        return { start, end: random() < 0.1 ? null : start + pick(5) * 10_000 + (random() < 0.5 ? 0 : pick(10_000)) };
      });
      const timing = { forMs: pick(4) * 15_000, quietMs: pick(5) * 20_000 };
      const signal = { subject: lease(), intervals };
      expect(simulateSignal(signal, timing, range), `seed ${seed}`).toEqual(simulateByBruteForce(signal, timing, range));
    }
  });

  it('replays a month of a lease flapping every 20 s in a number of steps linear in its intervals', () => {
    const month = 31 * 24 * 3_600;
    const times = Array.from({ length: month / 20 }, (_, i) => s(i * 20));
    const intervals: ActiveInterval[] = [...flappingIntervals(times, { transitions: 3, windowSeconds: 600 }), ...thresholdIntervals(times.map((at) => ({ start: at, end: at + 5_000 })), 1_000)];
    const steps = vi.mocked(advanceAlert);
    steps.mockClear();
    const firings = simulateSignal({ subject: lease(), intervals }, { forMs: 0, quietMs: 300_000 }, { from: s(0), to: s(month) });
    expect(firings).toHaveLength(1);
    // At most three moments per merged interval (start, end, end of quiet; no `for` here) plus the range's end.
    expect(steps.mock.calls.length).toBeGreaterThan(0);
    expect(steps.mock.calls.length).toBeLessThanOrEqual(3 * mergeIntervals(intervals).length + 1);
  });
});
