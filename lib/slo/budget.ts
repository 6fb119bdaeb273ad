// Leadership SLO arithmetic. Good time: a valid leader held the lease; bad time: nobody did; time we
// did not observe (a blind spot, before the lease was first seen) is neither — it is left out of both
// sides and reported, so a blind month never reads as a perfect one.

export type LeadershipTime = { ledMs: number; leaderlessMs: number; unknownMs: number };

export type SloStatus = {
  target: number;
  observedMs: number;
  unknownMs: number;
  /** share of observed time with a leader, null when nothing was observed */
  sli: number | null;
  /** leaderless time the target allows over the observed time */
  allowedBadMs: number;
  badMs: number;
  /** 1 = untouched, 0 = spent, below 0 = overspent; null when nothing was observed */
  budgetRemaining: number | null;
  isMet: boolean | null;
};

export function sumLeadershipTime(parts: readonly LeadershipTime[]): LeadershipTime {
  return parts.reduce((sum, part) => ({ ledMs: sum.ledMs + part.ledMs, leaderlessMs: sum.leaderlessMs + part.leaderlessMs, unknownMs: sum.unknownMs + part.unknownMs }), {
    ledMs: 0,
    leaderlessMs: 0,
    unknownMs: 0,
  });
}

export function evaluateSlo(time: LeadershipTime, target: number): SloStatus {
  const observedMs = time.ledMs + time.leaderlessMs;
  const allowedBadMs = (1 - target) * observedMs;
  if (observedMs <= 0) return { target, observedMs: 0, unknownMs: time.unknownMs, sli: null, allowedBadMs: 0, badMs: 0, budgetRemaining: null, isMet: null };
  const sli = time.ledMs / observedMs;
  const budgetRemaining = allowedBadMs > 0 ? 1 - time.leaderlessMs / allowedBadMs : time.leaderlessMs > 0 ? -Infinity : 1;
  return { target, observedMs, unknownMs: time.unknownMs, sli, allowedBadMs, badMs: time.leaderlessMs, budgetRemaining, isMet: sli >= target };
}

// How fast the budget burns: 1 spends exactly the budget over the SLO window, 14.4 spends 2 % of a
// 30-day budget in an hour. Null when the window saw nothing.
export function burnRate(time: LeadershipTime, target: number): number | null {
  const observedMs = time.ledMs + time.leaderlessMs;
  if (observedMs <= 0) return null;
  const errorRatio = time.leaderlessMs / observedMs;
  return target >= 1 ? (errorRatio > 0 ? Infinity : 0) : errorRatio / (1 - target);
}

export type BurnPoint = { at: number; budgetRemaining: number | null; burnRate: number | null };

// The budget chart: consecutive buckets of the SLO window, oldest first. The budget is what the
// target allows over the whole window's observed time, so the line only falls and ends at the
// window's figure; each point also carries that bucket's own burn rate.
export function buildBurnChart(buckets: ReadonlyArray<LeadershipTime & { end: number }>, target: number): BurnPoint[] {
  const total = sumLeadershipTime(buckets);
  const allowedBadMs = (1 - target) * (total.ledMs + total.leaderlessMs);
  let badMs = 0;
  return buckets.map((bucket) => {
    badMs += bucket.leaderlessMs;
    const budgetRemaining = total.ledMs + total.leaderlessMs <= 0 ? null : allowedBadMs > 0 ? 1 - badMs / allowedBadMs : badMs > 0 ? -Infinity : 1;
    return { at: bucket.end, budgetRemaining, burnRate: burnRate(bucket, target) };
  });
}
