// The timing advisor: from one lease's stored history, how its LeaseDuration / RenewDeadline /
// RetryPeriod hold up, and what to change. Pure: the figures come in, findings and advice go out.
// The Lease object carries only leaseDurationSeconds; RenewDeadline and RetryPeriod are either given
// by the user or inferred from the renew intervals, and every finding says which.

// client-go's leaderelection.JitterFactor: NewLeaderElector refuses RenewDeadline <= JitterFactor × RetryPeriod.
export const JITTER_FACTOR = 1.2;
export const MIN_RENEW_SAMPLES = 200;
// A tail percentile is only read when at least this many intervals lie beyond it: p99.9 needs 10,000
// intervals (10 above it), below that the margin is judged on p99 and says so.
export const MIN_TAIL_SAMPLES = 10;
export const MIN_P999_SAMPLES = Math.ceil(MIN_TAIL_SAMPLES / (1 - 0.999) - 1e-9);
export const MIN_FAILOVERS = 3;
// Below this share of RenewDeadline left at the tail percentile (p99.9, or p99 from fewer samples), a GC pause or a slow API server call loses the lease.
const MIN_MARGIN = 0.3;
const TARGET_TAIL_SHARE = 0.5;
// A failed renewal is retried every RetryPeriod until RenewDeadline: client-go's defaults (2 s / 10 s /
// 15 s) give a leader 5 tries before it gives up, and 7.5 RetryPeriods per LeaseDuration. Fewer than
// these floors and one slow API call or two cost the lease.
const MIN_RENEW_ATTEMPTS = 3;
const DEFAULT_RENEW_ATTEMPTS = 5;
const MIN_RETRIES_PER_LEASE = 4;
const DEFAULT_RETRIES_PER_LEASE = 7.5;

// count: the renew intervals the percentiles rest on.
export type RenewFigures = { count: number; p50Ms: number | null; p95Ms: number | null; p99Ms: number | null; p999Ms: number | null; maxMs: number | null };
export type LagFigures = { p50Ms: number | null; p99Ms: number | null };
export type FailoverFigure = { cause: 'release' | 'expiry' | 'early_takeover' | 'preferred_holder' | 'unknown'; leaderlessMs: number | null };

export type AdvisorInput = {
  leaseDurationSeconds: number | null;
  renewDeadlineSeconds?: number;
  retryPeriodSeconds?: number;
  renew: RenewFigures;
  lag: LagFigures;
  failovers: readonly FailoverFigure[];
  rangeText: string;
};

export type Source = 'lease' | 'given' | 'inferred' | 'unknown';
export type Setting = { seconds: number | null; source: Source };
export type Severity = 'violation' | 'warning' | 'info' | 'ok';
export type Finding = { id: string; severity: Severity; text: string; evidence: string };
export type Recommendation = { setting: 'LeaseDuration' | 'RenewDeadline' | 'RetryPeriod' | 'ReleaseOnCancel'; current: string; recommended: string; reasoning: string };

export type FailoverStats = { total: number; releases: number; expiries: number; other: number; releaseLeaderlessMs: number | null; expiryLeaderlessMs: number | null };

export type Advice = {
  settings: { leaseDuration: Setting; renewDeadline: Setting; retryPeriod: Setting };
  samples: { renewIntervals: number; failovers: number; minRenewIntervals: number; minFailovers: number; tailPercentile: TailPercentile | null; minP999RenewIntervals: number };
  failovers: FailoverStats;
  findings: Finding[];
  recommendations: Recommendation[];
};

export type TailPercentile = 'p99.9' | 'p99';

// The highest percentile the sample count can carry: p99.9 from MIN_P999_SAMPLES intervals on, p99 below.
export function chooseTail(renew: RenewFigures): { name: TailPercentile; ms: number } | null {
  if (renew.count >= MIN_P999_SAMPLES && renew.p999Ms !== null) return { name: 'p99.9', ms: renew.p999Ms };
  if (renew.p99Ms !== null) return { name: 'p99', ms: renew.p99Ms };
  return null;
}

const seconds = (ms: number) => `${(Math.round(ms / 100) / 10).toString()} s`;

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function summarizeFailovers(failovers: readonly FailoverFigure[]): FailoverStats {
  const leaderless = (cause: FailoverFigure['cause']) => failovers.filter((f) => f.cause === cause && f.leaderlessMs !== null).map((f) => f.leaderlessMs!);
  const releases = failovers.filter((f) => f.cause === 'release').length;
  const expiries = failovers.filter((f) => f.cause === 'expiry').length;
  return {
    total: failovers.length,
    releases,
    expiries,
    other: failovers.length - releases - expiries,
    releaseLeaderlessMs: median(leaderless('release')),
    expiryLeaderlessMs: median(leaderless('expiry')),
  };
}

// A healthy leader renews every RetryPeriod, so the median interval is RetryPeriod to within the
// observation's resolution; a renewal that came X after the previous one proves RenewDeadline > X − RetryPeriod at least.
function inferSettings(input: AdvisorInput, hasEnough: boolean) {
  const leaseDuration: Setting = { seconds: input.leaseDurationSeconds, source: input.leaseDurationSeconds === null ? 'unknown' : 'lease' };
  const retryPeriod: Setting =
    input.retryPeriodSeconds !== undefined
      ? { seconds: input.retryPeriodSeconds, source: 'given' }
      : hasEnough && input.renew.p50Ms !== null
        ? { seconds: Math.round(input.renew.p50Ms / 100) / 10, source: 'inferred' }
        : { seconds: null, source: 'unknown' };
  const renewDeadline: Setting = input.renewDeadlineSeconds !== undefined ? { seconds: input.renewDeadlineSeconds, source: 'given' } : { seconds: null, source: 'unknown' };
  return { leaseDuration, renewDeadline, retryPeriod };
}

function checkConstraints(settings: Advice['settings'], findings: Finding[]): void {
  const { leaseDuration, renewDeadline, retryPeriod } = settings;
  const label = (setting: Setting) => `${setting.seconds} s (${setting.source === 'lease' ? 'from the Lease' : setting.source})`;
  if (leaseDuration.seconds !== null && renewDeadline.seconds !== null && !(leaseDuration.seconds > renewDeadline.seconds)) {
    findings.push({
      id: 'lease-duration-not-above-renew-deadline',
      severity: 'violation',
      text: 'LeaseDuration must be greater than RenewDeadline (client-go refuses to start otherwise)',
      evidence: `LeaseDuration ${label(leaseDuration)}, RenewDeadline ${label(renewDeadline)}`,
    });
  }
  if (renewDeadline.seconds !== null && retryPeriod.seconds !== null && !(renewDeadline.seconds > JITTER_FACTOR * retryPeriod.seconds)) {
    findings.push({
      id: 'renew-deadline-not-above-jittered-retry',
      severity: 'violation',
      text: `RenewDeadline must be greater than JitterFactor (${JITTER_FACTOR}) × RetryPeriod (client-go refuses to start otherwise)`,
      evidence: `RenewDeadline ${label(renewDeadline)}, RetryPeriod ${label(retryPeriod)}: ${JITTER_FACTOR} × ${retryPeriod.seconds} s = ${Math.round(JITTER_FACTOR * retryPeriod.seconds * 100) / 100} s`,
    });
  }
  // RenewDeadline unknown: LeaseDuration > RenewDeadline > 1.2 × RetryPeriod still needs LeaseDuration > 1.2 × RetryPeriod.
  if (renewDeadline.seconds === null && leaseDuration.seconds !== null && retryPeriod.seconds !== null && !(leaseDuration.seconds > JITTER_FACTOR * retryPeriod.seconds)) {
    findings.push({
      id: 'lease-duration-not-above-jittered-retry',
      severity: 'violation',
      text: `LeaseDuration must be greater than JitterFactor (${JITTER_FACTOR}) × RetryPeriod: no RenewDeadline fits between them (client-go refuses to start)`,
      evidence: `LeaseDuration ${label(leaseDuration)}, RetryPeriod ${label(retryPeriod)}: ${JITTER_FACTOR} × ${retryPeriod.seconds} s = ${Math.round(JITTER_FACTOR * retryPeriod.seconds * 100) / 100} s`,
    });
  }
}

const tenths = (value: number) => Math.max(0.1, Math.floor(value * 10) / 10);

// RetryPeriod against the deadline a leader must renew by: RenewDeadline when known, else LeaseDuration.
function adviseRetryPeriod(settings: Advice['settings'], findings: Finding[], recommendations: Recommendation[], evidence: string): void {
  const { leaseDuration, renewDeadline, retryPeriod } = settings;
  if (retryPeriod.seconds === null) return;
  const retry = retryPeriod.seconds;
  const retryText = `RetryPeriod ${retry} s (${retryPeriod.source})`;
  const bound =
    renewDeadline.seconds !== null
      ? { name: 'RenewDeadline', seconds: renewDeadline.seconds, floor: MIN_RENEW_ATTEMPTS, target: DEFAULT_RENEW_ATTEMPTS, defaults: '2 s / 10 s' }
      : leaseDuration.seconds !== null
        ? { name: 'LeaseDuration', seconds: leaseDuration.seconds, floor: MIN_RETRIES_PER_LEASE, target: DEFAULT_RETRIES_PER_LEASE, defaults: '2 s / 15 s' }
        : null;
  if (bound === null) return;
  const attempts = bound.seconds / retry;
  const attemptsText = `${retryText} fits ${Math.floor(attempts * 10) / 10} times in the ${bound.seconds} s ${bound.name}`;
  if (attempts >= bound.floor) {
    findings.push({ id: 'retry-period-ok', severity: 'ok', text: `${attemptsText}: a failed renewal is retried in time`, evidence });
    return;
  }
  const recommended = tenths(bound.seconds / bound.target);
  findings.push({ id: 'retry-period-long', severity: 'warning', text: `${attemptsText}: one or two slow renewals cost the lease`, evidence });
  recommendations.push({
    setting: 'RetryPeriod',
    current: `${retry} s`,
    recommended: `${recommended} s`,
    reasoning: `a leader retries a failed renewal every RetryPeriod until ${bound.name}; ${recommended} s gives it ${Math.floor((bound.seconds / recommended) * 10) / 10} tries as client-go's defaults do (${bound.defaults}); a shorter RetryPeriod also lets a candidate take over sooner after a release. ${attemptsText}; ${evidence}`,
  });
}

export function adviseTiming(input: AdvisorInput): Advice {
  const hasEnoughRenewals = input.renew.count >= MIN_RENEW_SAMPLES;
  const settings = inferSettings(input, hasEnoughRenewals);
  const failovers = summarizeFailovers(input.failovers);
  const findings: Finding[] = [];
  const recommendations: Recommendation[] = [];
  const tail = hasEnoughRenewals ? chooseTail(input.renew) : null;
  const samples = {
    renewIntervals: input.renew.count,
    failovers: failovers.total,
    minRenewIntervals: MIN_RENEW_SAMPLES,
    minFailovers: MIN_FAILOVERS,
    tailPercentile: tail?.name ?? null,
    minP999RenewIntervals: MIN_P999_SAMPLES,
  };

  checkConstraints(settings, findings);

  if (settings.renewDeadline.source === 'unknown') {
    findings.push({
      id: 'renew-deadline-unknown',
      severity: 'info',
      text: 'RenewDeadline is not stored on a Lease; give it to compare the renew intervals against it',
      evidence: input.renew.maxMs !== null ? `the longest renew interval seen, ${seconds(input.renew.maxMs)}, was survived: RenewDeadline is at least that minus RetryPeriod` : 'no renew interval measured',
    });
  }

  if (!hasEnoughRenewals) {
    findings.push({
      id: 'too-few-renewals',
      severity: 'info',
      text: `Not enough renewals to judge the timing: ${input.renew.count} of the ${MIN_RENEW_SAMPLES} needed over ${input.rangeText}; no timing recommendation`,
      evidence: `${input.renew.count} renew intervals`,
    });
  } else if (tail !== null) {
    const countText = String(input.renew.count);
    const tailBasis =
      tail.name === 'p99.9'
        ? `p99.9 of ${countText} renew intervals`
        : `p99 of ${countText} renew intervals (p99.9 needs ${MIN_P999_SAMPLES}: not read from fewer)`;
    const evidence = `p50 ${seconds(input.renew.p50Ms ?? 0)}, p99 ${seconds(input.renew.p99Ms ?? tail.ms)}${tail.name === 'p99.9' ? `, p99.9 ${seconds(tail.ms)}` : ''}, max ${seconds(input.renew.maxMs ?? tail.ms)} over ${countText} renewals in ${input.rangeText}`;
    const deadline = settings.renewDeadline.seconds;
    if (deadline !== null) {
      const margin = 1 - tail.ms / (deadline * 1_000);
      const marginText = `${tail.name} renew interval ${seconds(tail.ms)} against a ${deadline} s RenewDeadline (${settings.renewDeadline.source}) leaves ${Math.round(margin * 100)} % margin`;
      if (margin < MIN_MARGIN) {
        const recommendedDeadline = Math.ceil(tail.ms / 1_000 / TARGET_TAIL_SHARE);
        const recommendedDuration = Math.max(settings.leaseDuration.seconds ?? 0, Math.ceil(recommendedDeadline * 1.5));
        findings.push({ id: 'renew-margin-thin', severity: 'warning', text: `${marginText}: a slow API call or a pause can cost the lease`, evidence: `${tailBasis}; ${evidence}` });
        recommendations.push({
          setting: 'RenewDeadline',
          current: `${deadline} s`,
          recommended: `${recommendedDeadline} s`,
          reasoning: `keeps the ${tail.name} renew interval at half of RenewDeadline; ${tailBasis}; ${evidence}`,
        });
        if (settings.leaseDuration.seconds !== null && recommendedDuration > settings.leaseDuration.seconds) {
          recommendations.push({
            setting: 'LeaseDuration',
            current: `${settings.leaseDuration.seconds} s`,
            recommended: `${recommendedDuration} s`,
            reasoning: `LeaseDuration must stay above RenewDeadline; client-go's defaults keep it 1.5 × RenewDeadline (15 s / 10 s)`,
          });
        }
      } else {
        findings.push({ id: 'renew-margin-ok', severity: 'ok', text: marginText, evidence: `${tailBasis}; ${evidence}` });
      }
    } else if (settings.leaseDuration.seconds !== null) {
      const share = tail.ms / (settings.leaseDuration.seconds * 1_000);
      findings.push({
        id: 'renew-against-lease-duration',
        severity: share > 0.6 ? 'warning' : 'ok',
        text: `${tail.name} renew interval ${seconds(tail.ms)} is ${Math.round(share * 100)} % of the ${settings.leaseDuration.seconds} s LeaseDuration`,
        evidence: `${tailBasis}; ${evidence}`,
      });
    }
    if (settings.retryPeriod.source === 'inferred') {
      findings.push({
        id: 'retry-period-inferred',
        severity: 'info',
        text: `RetryPeriod inferred as ${settings.retryPeriod.seconds} s from the median renew interval (a healthy leader renews once per RetryPeriod)`,
        evidence,
      });
    }
    adviseRetryPeriod(settings, findings, recommendations, evidence);
  }

  if (input.lag.p99Ms !== null && hasEnoughRenewals && settings.leaseDuration.seconds !== null && input.lag.p99Ms > settings.leaseDuration.seconds * 1_000 * 0.25) {
    findings.push({
      id: 'observation-lag-high',
      severity: 'warning',
      text: `Observation lag p99 ${seconds(input.lag.p99Ms)} is over a quarter of LeaseDuration: leaderless periods shorter than that may go unseen`,
      evidence: `lag p50 ${seconds(input.lag.p50Ms ?? 0)}, p99 ${seconds(input.lag.p99Ms)}`,
    });
  }

  if (failovers.total < MIN_FAILOVERS) {
    findings.push({
      id: 'too-few-failovers',
      severity: 'info',
      text: `${failovers.total} failover(s) in ${input.rangeText}: at least ${MIN_FAILOVERS} are needed to judge how leadership moves`,
      evidence: `${failovers.releases} release(s), ${failovers.expiries} expiry(ies)`,
    });
  } else {
    const expiryShare = failovers.expiries / failovers.total;
    const leaderlessText = `median leaderless time ${failovers.expiryLeaderlessMs === null ? 'unknown' : seconds(failovers.expiryLeaderlessMs)} after an expiry, ${failovers.releaseLeaderlessMs === null ? 'no release seen' : seconds(failovers.releaseLeaderlessMs)} after a release`;
    const evidence = `${failovers.expiries} of ${failovers.total} failovers in ${input.rangeText} were expiries, ${failovers.releases} releases; ${leaderlessText}`;
    if (failovers.expiries >= 2 && expiryShare >= 0.5) {
      const afterRelease = failovers.releaseLeaderlessMs ?? (settings.retryPeriod.seconds !== null ? settings.retryPeriod.seconds * 1_000 : null);
      const estimate = afterRelease === null ? '' : ` from ~${seconds(failovers.expiryLeaderlessMs ?? 0)} to ~${seconds(afterRelease)}`;
      findings.push({ id: 'failovers-by-expiry', severity: 'warning', text: 'Most failovers waited for the lease to expire instead of being released', evidence });
      recommendations.push({
        setting: 'ReleaseOnCancel',
        current: 'off (holders let the lease expire)',
        recommended: 'true',
        reasoning: `a holder that stops cleanly then empties holderIdentity and a candidate takes over at its next retry; this would cut leaderless time per failover${estimate}. ${evidence}`,
      });
    } else {
      findings.push({ id: 'failovers-by-release', severity: 'ok', text: 'Failovers are mostly clean releases', evidence });
    }
  }

  return { settings, samples, failovers, findings, recommendations };
}
