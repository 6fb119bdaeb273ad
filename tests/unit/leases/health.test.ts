import { describe, expect, it } from 'vitest';
import { classifyLeaseHealth, type LeaseHealthInput } from '../../../lib/leases/health';

const now = 1_000_000;
const base: LeaseHealthInput = { holderIdentity: 'node-a_1', leaseDurationSeconds: 15, changedAt: now - 2_000, acquisitionsLastHour: 1, isClusterFresh: true, now };

describe('classifyLeaseHealth', () => {
  it('calls a recently renewed, stable lease healthy', () => {
    expect(classifyLeaseHealth(base)).toBe('healthy');
  });

  it('calls a lease leaderless without a holder, or silent past its duration', () => {
    expect(classifyLeaseHealth({ ...base, holderIdentity: null })).toBe('leaderless');
    expect(classifyLeaseHealth({ ...base, changedAt: now - 15_001 })).toBe('leaderless');
    expect(classifyLeaseHealth({ ...base, leaseDurationSeconds: null })).toBe('leaderless');
  });

  it('calls a lease near expiry past 60 % of its duration without a renewal', () => {
    expect(classifyLeaseHealth({ ...base, changedAt: now - 9_000 })).toBe('healthy');
    expect(classifyLeaseHealth({ ...base, changedAt: now - 9_001 })).toBe('near_expiry');
  });

  it('calls three acquisitions in the last hour flapping', () => {
    expect(classifyLeaseHealth({ ...base, acquisitionsLastHour: 2 })).toBe('healthy');
    expect(classifyLeaseHealth({ ...base, acquisitionsLastHour: 3 })).toBe('flapping');
  });

  it('puts stale data first: nothing else can be vouched for', () => {
    expect(classifyLeaseHealth({ ...base, holderIdentity: null, isClusterFresh: false })).toBe('stale');
  });

  it('puts leaderless before flapping', () => {
    expect(classifyLeaseHealth({ ...base, holderIdentity: null, acquisitionsLastHour: 9 })).toBe('leaderless');
  });
});
