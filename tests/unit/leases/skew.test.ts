import { describe, expect, it } from 'vitest';
import { type LeaseEvent, defaultDeriveOptions, toStoredLease } from '@/lib/leases';
import { T0, feed, observe } from './factory';

const windowSize = defaultDeriveOptions.skew.windowSize;

function skewEventsOf(events: LeaseEvent[]): LeaseEvent[] {
  return events.filter((event) => event.type === 'skew' || event.type === 'skew-cleared');
}

// Renewals every 2 s by one holder, each seen `lags[i]` ms after its renewTime.
function renewedWithLags(lags: number[], holder = 'host-a_1') {
  return lags.map((lag, index) => observe({ holder, renew: index * 2000, at: index * 2000 + lag }));
}

describe('skew: renewTime in our future', () => {
  it('is suspected at once when renewTime is ahead beyond the margin', () => {
    const { events } = feed(renewedWithLags([40, -3000]));
    const observedAt = observe({ renew: 2000, at: -1000 }).observedAt;
    expect(skewEventsOf(events)).toEqual([{ type: 'skew', holder: 'host-a_1', offsetMs: 3000, reason: 'future-renew', startedAt: observedAt, observedAt }]);
  });

  it('is not suspected within the margin', () => {
    expect(skewEventsOf(feed(renewedWithLags([40, -800, -900])).events)).toEqual([]);
  });

  it('is reported once, not on every renewal', () => {
    expect(skewEventsOf(feed(renewedWithLags([-3000, -3010, -2990, -3020])).events)).toHaveLength(1);
  });

  it('is reported again when the offset changes materially', () => {
    const events = skewEventsOf(feed(renewedWithLags([-3000, -3100, -6000])).events);
    expect(events.map((event) => (event.type === 'skew' ? event.offsetMs : null))).toEqual([3000, 6000]);
  });

  it('is stored as the lease skew suspicion', () => {
    expect(toStoredLease(feed(renewedWithLags([-3000])).state).skewSuspectedMs).toBe(3000);
  });
});

describe('skew: steady offset', () => {
  it('is suspected once a full window of renewals all arrive late beyond the threshold', () => {
    const lags = Array.from({ length: windowSize }, (_, index) => 3000 + (index % 3) * 200);
    const events = skewEventsOf(feed(renewedWithLags(lags)).events);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'skew', reason: 'steady-offset', offsetMs: -3000 });
  });

  it('is not suspected before the window is full', () => {
    expect(skewEventsOf(feed(renewedWithLags(Array.from({ length: windowSize - 1 }, () => 3000))).events)).toEqual([]);
  });

  it('uses the smallest lag, so one fast delivery proves the clock is fine', () => {
    const lags = Array.from({ length: windowSize }, (_, index) => (index === 4 ? 30 : 5000));
    expect(skewEventsOf(feed(renewedWithLags(lags)).events)).toEqual([]);
  });
});

describe('skew: lifecycle', () => {
  it('clears once a full window no longer supports the suspicion, and says so once', () => {
    const lags = [-3000, ...Array.from({ length: windowSize + 3 }, () => 40)];
    const events = skewEventsOf(feed(renewedWithLags(lags)).events);
    expect(events.map((event) => event.type)).toEqual(['skew', 'skew-cleared']);
  });

  it('ends the episode of a holder that stops leading, and starts afresh for the new holder', () => {
    const { events, state } = feed([...renewedWithLags([-3000]), observe({ holder: 'host-b_1', acquire: 30_000, transitions: 1, at: 30_040 })]);
    expect(skewEventsOf(events)).toEqual([expect.objectContaining({ type: 'skew', holder: 'host-a_1' }), { type: 'skew-cleared', holder: 'host-a_1', observedAt: T0 + 30_040 }]);
    expect(state.skew).toMatchObject({ holder: 'host-b_1', offsetMs: null });
  });

  it('takes a renewTime in our future from a list reply as evidence too', () => {
    const { events } = feed([observe({ renew: 10_000, at: 4_000, source: 'list' })]);
    expect(skewEventsOf(events)).toMatchObject([{ type: 'skew', reason: 'future-renew', offsetMs: 6000 }]);
  });

  it('ignores list replies, whose lag is not a delivery lag', () => {
    const observations = Array.from({ length: windowSize + 2 }, (_, index) => observe({ renew: index * 2000, at: index * 2000 + 9000, source: 'list' }));
    expect(skewEventsOf(feed(observations).events)).toEqual([]);
  });

  // A's renewTimes run 10 s ahead: uncorrected, B at 9 s would look 8 s early; corrected, it is 2 s late.
  it('corrects the takeover judgement by the old holder offset when it ran ahead', () => {
    const aheadLeader = renewedWithLags([-10_000, -10_000]);
    const { events } = feed([...aheadLeader, observe({ holder: 'host-b_1', acquire: 9000, transitions: 1, at: 9040 })]);
    const takeover = events.find((event) => event.type === 'transition' && event.toHolder === 'host-b_1');
    expect(takeover).toMatchObject({ cause: 'expiry', leaderlessMs: 2000, overlapMs: null });
  });

  it('does not correct by an offset that was never suspected', () => {
    const { events } = feed([...renewedWithLags([40, 40]), observe({ holder: 'host-b_1', acquire: 9000, transitions: 1, at: 9040 })]);
    expect(events.find((event) => event.type === 'transition' && event.toHolder === 'host-b_1')).toMatchObject({ cause: 'early_takeover', overlapMs: 8000 });
  });
});
