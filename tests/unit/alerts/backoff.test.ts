import { describe, expect, it } from 'vitest';
import { isRetryableStatus, retryDelayMs } from '../../../lib/alerts/backoff';

const exact = { initialMs: 1_000, maxMs: 60_000, jitter: 0 };

describe('retry backoff', () => {
  it('doubles from the initial delay and stops at the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((attempt) => retryDelayMs(attempt, exact))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
    expect(retryDelayMs(10_000, exact)).toBe(60_000);
  });

  it('spreads delays by the jitter, never past the cap', () => {
    const jittered = { initialMs: 1_000, maxMs: 10_000, jitter: 0.2 };
    expect(retryDelayMs(1, jittered, () => 0)).toBe(800);
    expect(retryDelayMs(1, jittered, () => 1)).toBe(1_200);
    expect(retryDelayMs(9, jittered, () => 1)).toBe(10_000);
  });

  it('retries server errors and throttling, not requests the receiver rejects', () => {
    expect([500, 502, 503, 408, 425, 429].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 410, 422].some(isRetryableStatus)).toBe(false);
  });
});
