import { describe, expect, it } from 'vitest';
import {
  isLeaseValid,
  jitterDuration,
  nextPollDelay,
  PreciseMicroTime,
  recordFromSpec,
  serializeRecord,
  specFromRecord,
  validateElectionTimings,
} from '@/lib/sim/election-record';

describe('jitterDuration (wait.Jitter)', () => {
  it('adds up to maxFactor × duration', () => {
    expect(jitterDuration(2000, 1.2, () => 0)).toBe(2000);
    expect(jitterDuration(2000, 1.2, () => 0.5)).toBe(3200);
    expect(jitterDuration(2000, 1.2, () => 0.999999)).toBeLessThan(4400);
  });

  it('treats a non-positive factor as 1', () => {
    expect(jitterDuration(1000, 0, () => 0.5)).toBe(1500);
  });
});

describe('validateElectionTimings (NewLeaderElector)', () => {
  it('accepts the kube-controller-manager defaults', () => {
    expect(() => validateElectionTimings({ leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 })).not.toThrow();
  });

  it('rejects what client-go rejects', () => {
    expect(() => validateElectionTimings({ leaseDurationMs: 10_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 })).toThrow(/leaseDuration must be greater than renewDeadline/);
    expect(() => validateElectionTimings({ leaseDurationMs: 15_000, renewDeadlineMs: 2_400, retryPeriodMs: 2_000 })).toThrow(/retryPeriod\*JitterFactor/);
  });

  it('needs at least one whole second of lease, since the Lease stores seconds', () => {
    expect(() => validateElectionTimings({ leaseDurationMs: 900, renewDeadlineMs: 600, retryPeriodMs: 100 })).toThrow(/at least one second/);
  });
});

describe('records and specs', () => {
  const acquire = Date.UTC(2025, 0, 1, 0, 0, 0, 250) + 0.125;
  const renew = Date.UTC(2025, 0, 1, 0, 0, 9, 999) + 0.999;

  it('writes all six MicroTime digits and an explicit empty holder', () => {
    const spec = specFromRecord({ holderIdentity: '', leaseDurationSeconds: 1, acquireTime: acquire, renewTime: renew, leaderTransitions: 3 });
    expect(JSON.parse(JSON.stringify(spec))).toEqual({
      holderIdentity: '',
      leaseDurationSeconds: 1,
      leaseTransitions: 3,
      acquireTime: '2025-01-01T00:00:00.250125Z',
      renewTime: '2025-01-01T00:00:09.999999Z',
    });
    expect(spec.acquireTime).toBeInstanceOf(PreciseMicroTime);
  });

  it('reads the raw strings client-node hands back, keeping microseconds', () => {
    const record = recordFromSpec({ holderIdentity: 'a', leaseDurationSeconds: 15, leaseTransitions: 2, renewTime: '2025-01-01T00:00:09.999999Z' as unknown as Date });
    expect(record).toEqual({ holderIdentity: 'a', leaseDurationSeconds: 15, leaderTransitions: 2, renewTime: renew });
    expect(recordFromSpec(undefined)).toEqual({ holderIdentity: '', leaseDurationSeconds: 0, leaderTransitions: 0 });
  });

  it('compares records at whole seconds, as json.Marshal of metav1.Time does', () => {
    const base = { holderIdentity: 'a', leaseDurationSeconds: 15, acquireTime: acquire, leaderTransitions: 0 };
    const sameSecond = serializeRecord({ ...base, renewTime: Date.UTC(2025, 0, 1, 0, 0, 9, 100) });
    expect(serializeRecord({ ...base, renewTime: renew })).toBe(sameSecond);
    expect(serializeRecord({ ...base, renewTime: renew + 1 })).not.toBe(sameSecond);
    expect(JSON.parse(serializeRecord({ holderIdentity: '', leaseDurationSeconds: 0, leaderTransitions: 0 }))).toMatchObject({ acquireTime: null, renewTime: null });
  });

  it('judges validity on the observer clock only', () => {
    expect(isLeaseValid(1_000, 15, 15_999)).toBe(true);
    expect(isLeaseValid(1_000, 15, 16_000)).toBe(false);
  });
});

describe('nextPollDelay (time.Ticker)', () => {
  it('waits for the next tick on the grid', () => {
    const ticker = { startMs: 0, consumedTicks: 0 };
    expect(nextPollDelay(ticker, 30, 100)).toBe(70);
    expect(nextPollDelay(ticker, 130, 100)).toBe(70);
  });

  it('fires once at once after a slow condition and drops the other missed ticks', () => {
    const ticker = { startMs: 0, consumedTicks: 0 };
    expect(nextPollDelay(ticker, 350, 100)).toBe(0);
    expect(nextPollDelay(ticker, 360, 100)).toBe(40);
  });
});
