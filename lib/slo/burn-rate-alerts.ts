import { burnRate, type LeadershipTime } from './budget';

// Multi-window, multi-burn-rate alerting (Google SRE workbook, "Alerting on SLOs", table 5-8): each
// pair fires when the long window AND the short window (1/12 of it) both burn faster than the
// factor. The long window makes it significant, the short one makes it stop soon after the burn does.
// Not-observed time is in neither window's rate (see budget.ts).
export type BurnWindow = { longSeconds: number; shortSeconds: number; factor: number };

export const workbookWindows: readonly BurnWindow[] = [
  { longSeconds: 3_600, shortSeconds: 300, factor: 14.4 },
  { longSeconds: 6 * 3_600, shortSeconds: 1_800, factor: 6 },
];

// A short window observed for less than this share of its length (a 5 min window with 20 s seen) is too
// thin to fire or to clear a pair: the pair is then judged on its long window alone, and says so.
export const MIN_SHORT_OBSERVED_SHARE = 0.5;

// shortObservedMs: how much of the short window was observed; isShortJudged: whether it was enough to count.
export type BurnReading = BurnWindow & { longRate: number | null; shortRate: number | null; shortObservedMs: number; isShortJudged: boolean; isBurning: boolean };

export function readBurnWindows(windows: readonly BurnWindow[], target: number, timeOver: (seconds: number) => LeadershipTime): BurnReading[] {
  return windows.map((window) => {
    const longRate = burnRate(timeOver(window.longSeconds), target);
    const short = timeOver(window.shortSeconds);
    const shortRate = burnRate(short, target);
    const shortObservedMs = short.ledMs + short.leaderlessMs;
    const isShortJudged = shortObservedMs >= MIN_SHORT_OBSERVED_SHARE * window.shortSeconds * 1_000;
    const isLongBurning = longRate !== null && longRate >= window.factor;
    const isBurning = isLongBurning && (!isShortJudged || (shortRate !== null && shortRate >= window.factor));
    return { ...window, longRate, shortRate, shortObservedMs, isShortJudged, isBurning };
  });
}

export function windowSecondsOf(windows: readonly BurnWindow[]): number[] {
  return [...new Set(windows.flatMap((window) => [window.longSeconds, window.shortSeconds]))].sort((a, b) => a - b);
}
