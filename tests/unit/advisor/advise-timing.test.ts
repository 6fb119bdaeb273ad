import { describe, expect, it } from 'vitest';
import { adviseTiming, type AdvisorInput } from '../../../lib/advisor/advise-timing';

const healthy: AdvisorInput = {
  leaseDurationSeconds: 15,
  renew: { count: 5_000, p50Ms: 2_000, p95Ms: 2_600, p99Ms: 6_100, p999Ms: 6_900, maxMs: 7_000 },
  lag: { p50Ms: 40, p99Ms: 200 },
  failovers: [],
  rangeText: '7 days',
};

const ids = (advice: ReturnType<typeof adviseTiming>) => advice.findings.map((f) => f.id);

describe('adviseTiming', () => {
  it('compares the p99 renew interval with a given RenewDeadline and says what it rests on', () => {
    const advice = adviseTiming({ ...healthy, renewDeadlineSeconds: 10 });
    const margin = advice.findings.find((f) => f.id === 'renew-margin-ok')!;
    expect(margin.text).toBe('p99 renew interval 6.1 s against a 10 s RenewDeadline (given) leaves 39 % margin');
    expect(margin.evidence).toContain('5000 renewals in 7 days');
    expect(advice.settings.retryPeriod).toEqual({ seconds: 2, source: 'inferred' });
    expect(ids(advice)).toContain('retry-period-inferred');
    expect(advice.recommendations).toEqual([]);
  });

  it('reads p99.9 once 10,000 intervals carry it, as in the issue: "p99.9 renew interval 6.1 s against a 10 s RenewDeadline leaves 39 % margin"', () => {
    const advice = adviseTiming({ ...healthy, renewDeadlineSeconds: 10, renew: { count: 10_000, p50Ms: 2_000, p95Ms: 2_400, p99Ms: 3_000, p999Ms: 6_100, maxMs: 7_000 } });
    const margin = advice.findings.find((f) => f.id === 'renew-margin-ok')!;
    expect(margin.text).toBe('p99.9 renew interval 6.1 s against a 10 s RenewDeadline (given) leaves 39 % margin');
    expect(margin.evidence).toBe('p99.9 of 10000 renew intervals; p50 2 s, p99 3 s, p99.9 6.1 s, max 7 s over 10000 renewals in 7 days');
    expect(advice.samples).toMatchObject({ renewIntervals: 10_000, tailPercentile: 'p99.9', minP999RenewIntervals: 10_000 });
  });

  it('never reads p99.9 from fewer than 10,000 intervals: one short, it judges on p99 and says why', () => {
    const advice = adviseTiming({ ...healthy, renewDeadlineSeconds: 10, renew: { count: 9_999, p50Ms: 2_000, p95Ms: 2_400, p99Ms: 3_000, p999Ms: 9_500, maxMs: 9_600 } });
    const margin = advice.findings.find((f) => f.id === 'renew-margin-ok')!;
    expect(margin.text).toBe('p99 renew interval 3 s against a 10 s RenewDeadline (given) leaves 70 % margin');
    expect(margin.evidence).toMatch(/^p99 of 9999 renew intervals \(p99\.9 needs 10000: not read from fewer\); /);
    expect(margin.evidence).not.toContain('p99.9 9.5 s');
    expect(advice.samples.tailPercentile).toBe('p99');
    expect(adviseTiming({ ...healthy, renewDeadlineSeconds: 10, renew: { ...healthy.renew, count: 150 } }).samples.tailPercentile).toBeNull();
  });

  it('sizes RenewDeadline from p99.9 when it is the tail it read', () => {
    const advice = adviseTiming({ ...healthy, renewDeadlineSeconds: 10, renew: { count: 50_000, p50Ms: 2_000, p95Ms: 2_400, p99Ms: 4_000, p999Ms: 8_200, maxMs: 9_000 } });
    expect(advice.findings.find((f) => f.id === 'renew-margin-thin')?.text).toBe('p99.9 renew interval 8.2 s against a 10 s RenewDeadline (given) leaves 18 % margin: a slow API call or a pause can cost the lease');
    const deadline = advice.recommendations.find((r) => r.setting === 'RenewDeadline')!;
    expect([deadline.current, deadline.recommended]).toEqual(['10 s', '17 s']);
    expect(deadline.reasoning).toMatch(/^keeps the p99\.9 renew interval at half of RenewDeadline; p99\.9 of 50000 renew intervals; /);
  });

  it('recommends a longer RenewDeadline (and LeaseDuration above it) when the margin is thin', () => {
    const advice = adviseTiming({ ...healthy, renewDeadlineSeconds: 8, renew: { ...healthy.renew, p99Ms: 7_000 } });
    expect(ids(advice)).toContain('renew-margin-thin');
    expect(advice.recommendations.map((r) => [r.setting, r.current, r.recommended])).toEqual([
      ['RenewDeadline', '8 s', '14 s'],
      ['LeaseDuration', '15 s', '21 s'],
    ]);
  });

  it('recommends a shorter RetryPeriod when a leader gets too few tries before RenewDeadline', () => {
    const advice = adviseTiming({ ...healthy, renewDeadlineSeconds: 10, retryPeriodSeconds: 4 });
    expect(ids(advice)).toContain('retry-period-long');
    const retry = advice.recommendations.find((r) => r.setting === 'RetryPeriod')!;
    expect([retry.current, retry.recommended]).toEqual(['4 s', '2 s']);
    expect(retry.reasoning).toContain('RetryPeriod 4 s (given) fits 2.5 times in the 10 s RenewDeadline');
    expect(retry.reasoning).toContain('5000 renewals in 7 days');
    expect(ids(adviseTiming({ ...healthy, renewDeadlineSeconds: 10, retryPeriodSeconds: 2 }))).toContain('retry-period-ok');
  });

  it('judges RetryPeriod against LeaseDuration when RenewDeadline is unknown, from an inferred RetryPeriod', () => {
    const advice = adviseTiming({ ...healthy, renew: { ...healthy.renew, p50Ms: 5_000, p99Ms: 6_100 } });
    expect(advice.settings.retryPeriod).toEqual({ seconds: 5, source: 'inferred' });
    const retry = advice.recommendations.find((r) => r.setting === 'RetryPeriod')!;
    expect([retry.current, retry.recommended]).toEqual(['5 s', '2 s']);
    expect(retry.reasoning).toContain('until LeaseDuration');
  });

  it('never recommends RetryPeriod without enough renewals', () => {
    const advice = adviseTiming({ ...healthy, renewDeadlineSeconds: 10, retryPeriodSeconds: 4, renew: { ...healthy.renew, count: 50 } });
    expect(advice.recommendations.filter((r) => r.setting === 'RetryPeriod')).toEqual([]);
  });

  it('flags LeaseDuration <= 1.2 × RetryPeriod when RenewDeadline is unknown: no RenewDeadline fits between', () => {
    const advice = adviseTiming({ ...healthy, leaseDurationSeconds: 6, retryPeriodSeconds: 5 });
    const violation = advice.findings.find((f) => f.id === 'lease-duration-not-above-jittered-retry')!;
    expect(violation.severity).toBe('violation');
    expect(violation.evidence).toBe('LeaseDuration 6 s (from the Lease), RetryPeriod 5 s (given): 1.2 × 5 s = 6 s');
    expect(ids(adviseTiming({ ...healthy, leaseDurationSeconds: 7, retryPeriodSeconds: 5 }))).not.toContain('lease-duration-not-above-jittered-retry');
  });

  it("flags client-go's constraints: LeaseDuration > RenewDeadline > 1.2 × RetryPeriod", () => {
    const advice = adviseTiming({ ...healthy, renewDeadlineSeconds: 15, retryPeriodSeconds: 13 });
    expect(advice.findings.filter((f) => f.severity === 'violation').map((f) => f.id)).toEqual(['lease-duration-not-above-renew-deadline', 'renew-deadline-not-above-jittered-retry']);
    expect(adviseTiming({ ...healthy, renewDeadlineSeconds: 10, retryPeriodSeconds: 2 }).findings.some((f) => f.severity === 'violation')).toBe(false);
    // 1.2 × 5 s = 6 s: a 6 s RenewDeadline is refused, not merely tight.
    expect(ids(adviseTiming({ ...healthy, renewDeadlineSeconds: 6, retryPeriodSeconds: 5 }))).toContain('renew-deadline-not-above-jittered-retry');
  });

  it('never recommends without enough samples, and says how many it has', () => {
    const advice = adviseTiming({ ...healthy, renewDeadlineSeconds: 3, renew: { ...healthy.renew, count: 150 } });
    expect(advice.recommendations).toEqual([]);
    expect(advice.findings.find((f) => f.id === 'too-few-renewals')?.text).toBe('Not enough renewals to judge the timing: 150 of the 200 needed over 7 days; no timing recommendation');
    expect(advice.settings.retryPeriod.source).toBe('unknown');
    expect(advice.samples).toMatchObject({ renewIntervals: 150, minRenewIntervals: 200 });
  });

  it('recommends ReleaseOnCancel when most failovers waited for an expiry, with the leaderless time it would save', () => {
    const failovers = [
      { cause: 'expiry' as const, leaderlessMs: 15_000 },
      { cause: 'expiry' as const, leaderlessMs: 14_000 },
      { cause: 'expiry' as const, leaderlessMs: 16_000 },
      { cause: 'expiry' as const, leaderlessMs: 15_500 },
      { cause: 'release' as const, leaderlessMs: 2_000 },
    ];
    const advice = adviseTiming({ ...healthy, failovers });
    expect(advice.failovers).toMatchObject({ total: 5, expiries: 4, releases: 1, expiryLeaderlessMs: 15_250, releaseLeaderlessMs: 2_000 });
    const recommendation = advice.recommendations.find((r) => r.setting === 'ReleaseOnCancel')!;
    expect(recommendation.recommended).toBe('true');
    expect(recommendation.reasoning).toContain('from ~15.3 s to ~2 s');
    expect(recommendation.reasoning).toContain('4 of 5 failovers in 7 days were expiries');
  });

  it('does not judge failovers on fewer than three', () => {
    const advice = adviseTiming({ ...healthy, failovers: [{ cause: 'expiry', leaderlessMs: 15_000 }, { cause: 'expiry', leaderlessMs: 15_000 }] });
    expect(ids(advice)).toContain('too-few-failovers');
    expect(advice.recommendations.some((r) => r.setting === 'ReleaseOnCancel')).toBe(false);
  });

  it('warns when the observation lag hides short leaderless periods', () => {
    expect(ids(adviseTiming({ ...healthy, lag: { p50Ms: 1_000, p99Ms: 5_000 } }))).toContain('observation-lag-high');
  });
});
