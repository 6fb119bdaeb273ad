import { describe, expect, it } from 'vitest';
import { mergeIntervals, sampledIntervals, simulateSignal, thresholdIntervals } from '../../../lib/alerts/preview';
import { lease, s } from './factory';

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
