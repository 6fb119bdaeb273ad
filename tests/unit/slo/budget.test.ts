import { describe, expect, it } from 'vitest';
import { buildBurnChart, burnRate, evaluateSlo } from '../../../lib/slo/budget';
import { readBurnWindows, workbookWindows } from '../../../lib/slo/burn-rate-alerts';
import { sloBurnCondition } from '../../../lib/alerts/conditions';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

describe('evaluateSlo', () => {
  it('leaves not-observed time out of both sides and reports it', () => {
    // 30 days: 29 days observed, 1 day blind; 20 min leaderless while observed.
    const status = evaluateSlo({ ledMs: 29 * DAY - 20 * MINUTE, leaderlessMs: 20 * MINUTE, unknownMs: DAY }, 0.9995);
    expect(status.observedMs).toBe(29 * DAY);
    expect(status.unknownMs).toBe(DAY);
    expect(status.sli).toBeCloseTo(1 - 20 / (29 * 24 * 60), 12);
    expect(status.allowedBadMs).toBeCloseTo(0.0005 * 29 * DAY, 6);
    // 29 days × 0.05 % = 20.88 min allowed, 20 min spent.
    expect(status.budgetRemaining).toBeCloseTo(1 - 20 / 20.88, 10);
    expect(status.isMet).toBe(true);
  });

  it('does not read a blind window as perfect: nothing observed, no figure', () => {
    expect(evaluateSlo({ ledMs: 0, leaderlessMs: 0, unknownMs: 30 * DAY }, 0.999)).toMatchObject({ sli: null, budgetRemaining: null, isMet: null, unknownMs: 30 * DAY });
  });

  it('goes below zero when the budget is overspent', () => {
    const status = evaluateSlo({ ledMs: 999 * MINUTE, leaderlessMs: 2 * MINUTE, unknownMs: 0 }, 0.999);
    expect(status.isMet).toBe(false);
    expect(status.budgetRemaining).toBeCloseTo(1 - 2 / 1.001, 10);
  });
});

describe('burn rates', () => {
  it('are the error ratio over the allowed ratio', () => {
    expect(burnRate({ ledMs: 99 * MINUTE, leaderlessMs: MINUTE, unknownMs: 0 }, 0.999)).toBeCloseTo(10, 10);
    expect(burnRate({ ledMs: 0, leaderlessMs: 0, unknownMs: MINUTE }, 0.999)).toBeNull();
  });

  it('fire a pair only when the long and the short window both burn faster than its factor', () => {
    const target = 0.999;
    // Leaderless for the last 3 minutes of the hour: 1 h burns 50×, 5 min burns 600×, 6 h burns 8.3×, 30 min burns 100×.
    const leaderless = 3 * MINUTE;
    const over = (seconds: number) => ({ ledMs: seconds * 1_000 - leaderless, leaderlessMs: leaderless, unknownMs: 0 });
    const readings = readBurnWindows(workbookWindows, target, over);
    expect(readings.map((r) => [r.factor, Math.round(r.longRate! * 10) / 10, Math.round(r.shortRate! * 10) / 10, r.isBurning])).toEqual([
      [14.4, 50, 600, true],
      [6, 8.3, 100, true],
    ]);
    // The burn stopped 10 minutes ago: the 5 min window is clean, so the 1 h pair stops firing at once.
    const stopped = (seconds: number) => (seconds <= 300 ? { ledMs: seconds * 1_000, leaderlessMs: 0, unknownMs: 0 } : over(seconds));
    expect(readBurnWindows(workbookWindows, target, stopped).map((r) => r.isBurning)).toEqual([false, true]);
  });
});

describe('a thinly observed short window', () => {
  const target = 0.999;
  const SECOND = 1_000;
  // The long windows burn 50× (1 h) and 8.3× (6 h); the 5 min window saw only `observedMs` of its 300 s.
  const over = (observedMs: number, leaderlessShare: number) => (seconds: number) =>
    seconds === 300
      ? { ledMs: observedMs * (1 - leaderlessShare), leaderlessMs: observedMs * leaderlessShare, unknownMs: 300 * SECOND - observedMs }
      : { ledMs: seconds * 1_000 - 3 * MINUTE, leaderlessMs: 3 * MINUTE, unknownMs: 0 };

  it('does not clear a burning pair: 20 s observed and led is not a clean 5 min', () => {
    const [hour] = readBurnWindows(workbookWindows, target, over(20 * SECOND, 0));
    expect(hour).toMatchObject({ shortRate: 0, shortObservedMs: 20 * SECOND, isShortJudged: false, isBurning: true });
  });

  it('does not fire a pair on it either: 20 s leaderless with a calm hour stays calm', () => {
    const calmHour = (seconds: number) => (seconds === 300 ? { ledMs: 0, leaderlessMs: 20 * SECOND, unknownMs: 280 * SECOND } : { ledMs: seconds * 1_000, leaderlessMs: 0, unknownMs: 0 });
    const [hour] = readBurnWindows(workbookWindows, target, calmHour);
    expect(hour).toMatchObject({ isShortJudged: false, isBurning: false });
    expect(hour!.shortRate).toBeCloseTo(1_000, 6);
  });

  it('counts from half of the window observed: 150 s of 5 min clean clears the pair, 149 s does not', () => {
    expect(readBurnWindows(workbookWindows, target, over(150 * SECOND, 0))[0]).toMatchObject({ isShortJudged: true, isBurning: false });
    expect(readBurnWindows(workbookWindows, target, over(149 * SECOND, 0))[0]).toMatchObject({ isShortJudged: false, isBurning: true });
  });

  it('says so in the rule text', () => {
    const condition = sloBurnCondition({ subject: { cluster: '*', namespace: 'kube-system', name: '*' }, sloName: 'control plane', target, windows: new Map([300, 1_800, 3_600, 21_600].map((seconds) => [seconds, over(20 * SECOND, 0)(seconds)])) });
    expect(condition.isActive).toBe(true);
    expect(condition.summary).toBe(
      'error budget of SLO "control plane" (99.9 %) burning 50× over 1 h (threshold 14.4×; only 20 s of the last 5 min observed, under the 50 % needed to count: judged on the 1 h window alone); 8.3× over 6 h and 100× over 30 min (threshold 6×)',
    );
  });
});

describe('buildBurnChart', () => {
  it('falls as leaderless time is spent and ends at the window figure', () => {
    const buckets = [
      { end: DAY, ledMs: DAY, leaderlessMs: 0, unknownMs: 0 },
      { end: 2 * DAY, ledMs: DAY - MINUTE, leaderlessMs: MINUTE, unknownMs: 0 },
      { end: 3 * DAY, ledMs: 0, leaderlessMs: 0, unknownMs: DAY },
    ];
    const chart = buildBurnChart(buckets, 0.999);
    const allowed = 0.001 * 2 * DAY;
    expect(chart[0]?.budgetRemaining).toBe(1);
    expect(chart[1]?.budgetRemaining).toBeCloseTo(1 - MINUTE / allowed, 12);
    expect(chart[2]?.budgetRemaining).toBeCloseTo(1 - MINUTE / allowed, 12);
    expect(chart[2]?.burnRate).toBeNull();
  });
});

describe('sloBurnCondition', () => {
  const subject = { cluster: 'prod-eu', namespace: 'kube-system', name: 'kube-scheduler' };
  const windows = (leaderlessMs: (seconds: number) => number) =>
    new Map([300, 1_800, 3_600, 21_600].map((seconds) => [seconds, { ledMs: seconds * 1_000 - leaderlessMs(seconds), leaderlessMs: leaderlessMs(seconds), unknownMs: 0 }]));

  it('is active while a pair burns over both windows, and says which', () => {
    const condition = sloBurnCondition({ subject, sloName: 'control plane', target: 0.999, windows: windows(() => 3 * MINUTE) });
    expect(condition.isActive).toBe(true);
    expect(condition.summary).toBe(
      'error budget of SLO "control plane" (99.9 %) burning 50× over 1 h and 600× over 5 min (threshold 14.4×); 8.3× over 6 h and 100× over 30 min (threshold 6×)',
    );
  });

  it('clears as soon as the short windows are clean, even with the long ones still high', () => {
    const condition = sloBurnCondition({ subject, sloName: 'control plane', target: 0.999, windows: windows((seconds) => (seconds <= 1_800 ? 0 : 3 * MINUTE)) });
    expect(condition).toMatchObject({ isActive: false, endedBy: 'burn rates back under their thresholds in the short windows' });
  });
});
