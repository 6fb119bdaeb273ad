import { burnRate, type LeadershipTime } from './budget';

// Multi-window, multi-burn-rate alerting (Google SRE workbook, "Alerting on SLOs", table 5-8): each
// pair fires when the long window AND the short window (1/12 of it) both burn faster than the
// factor. The long window makes it significant, the short one makes it stop soon after the burn does.
export type BurnWindow = { longSeconds: number; shortSeconds: number; factor: number };

export const workbookWindows: readonly BurnWindow[] = [
  { longSeconds: 3_600, shortSeconds: 300, factor: 14.4 },
  { longSeconds: 6 * 3_600, shortSeconds: 1_800, factor: 6 },
];

export type BurnReading = BurnWindow & { longRate: number | null; shortRate: number | null; isBurning: boolean };

export function readBurnWindows(windows: readonly BurnWindow[], target: number, timeOver: (seconds: number) => LeadershipTime): BurnReading[] {
  return windows.map((window) => {
    const longRate = burnRate(timeOver(window.longSeconds), target);
    const shortRate = burnRate(timeOver(window.shortSeconds), target);
    const isBurning = longRate !== null && shortRate !== null && longRate >= window.factor && shortRate >= window.factor;
    return { ...window, longRate, shortRate, isBurning };
  });
}

export function windowSecondsOf(windows: readonly BurnWindow[]): number[] {
  return [...new Set(windows.flatMap((window) => [window.longSeconds, window.shortSeconds]))].sort((a, b) => a - b);
}
