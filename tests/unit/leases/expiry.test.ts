import { describe, expect, it } from 'vitest';
import { type LeaseState, confirmExpiry, defaultDeriveOptions, deriveEvents, markBlind, getExpiryDueAt } from '@/lib/leases';
import { T0, feed, observe, only, release, renewalsOf, transitionsOf, withHeartbeats } from './factory';

const margin = defaultDeriveOptions.skewMarginMs;

function leaderSeenAt(at: number): LeaseState {
  return feed([observe({ renew: 0, at: 0 }), observe({ renew: 2000, at })]).state;
}

describe('confirmExpiry: expired without successor', () => {
  it('schedules the check at the last change we saw + leaseDurationSeconds + the skew margin', () => {
    expect(getExpiryDueAt(leaderSeenAt(2100))).toBe(T0 + 2100 + 15_000 + margin);
  });

  it('derives nothing before the skew margin has passed', () => {
    expect(confirmExpiry(leaderSeenAt(2100), T0 + 2100 + 15_000 + margin - 1).events).toEqual([]);
  });

  it('derives one expiry at the moment the lease ran out on our clock', () => {
    const { events } = confirmExpiry(leaderSeenAt(2100), T0 + 2100 + 15_000 + margin);
    expect(only(events)).toEqual({
      type: 'transition',
      kind: 'expired',
      cause: null,
      at: T0 + 17_100,
      observedAt: T0 + 22_100,
      fromHolder: 'host-a_1',
      toHolder: null,
      isRestart: false,
      leaderlessMs: null,
      overlapMs: null,
      leaseTransitions: 0,
      missedCount: 0,
      eventKey: 'expired|0|2024-05-01T10:00:02.000000Z|host-a_1',
    });
  });

  it('does not repeat the expiry on later ticks', () => {
    const first = confirmExpiry(leaderSeenAt(2100), T0 + 60_000);
    expect(confirmExpiry(first.state, T0 + 90_000).events).toEqual([]);
    expect(getExpiryDueAt(first.state)).toBeNull();
  });

  // A holder whose clock runs 30 s behind writes stale-looking renewTimes; we still count from our clock.
  it('counts from our observation time, not from the holder renewTime', () => {
    const state = feed([observe({ renew: -30_000, acquire: -30_000, at: 1000 })]).state;
    expect(confirmExpiry(state, T0 + 1000 + 15_000 + margin - 1).events).toEqual([]);
    expect(confirmExpiry(state, T0 + 1000 + 15_000 + margin).events).toHaveLength(1);
  });

  it('postpones the expiry when a renewal arrives', () => {
    const state = feed([observe({ renew: 14_000, at: 14_100 })], leaderSeenAt(2100)).state;
    expect(confirmExpiry(state, T0 + 2100 + 15_000 + margin).events).toEqual([]);
  });

  it('keeps the expiry clock running when only metadata changed', () => {
    const state = feed([observe({ renew: 2000, rv: 'other', labels: { x: 'y' }, at: 9000 })], leaderSeenAt(2100)).state;
    expect(getExpiryDueAt(state)).toBe(T0 + 2100 + 15_000 + margin);
  });

  it('never expires a released lease', () => {
    const state = feed([release(3000, 0)], leaderSeenAt(2100)).state;
    expect(confirmExpiry(state, T0 + 600_000).events).toEqual([]);
  });

  it('never expires a lease without leaseDurationSeconds', () => {
    expect(getExpiryDueAt(deriveEvents(undefined, observe({ duration: null })).state)).toBeNull();
  });

  it('does not treat silence as expiry while we are blind', () => {
    const state = markBlind(leaderSeenAt(2100));
    expect(getExpiryDueAt(state)).toBeNull();
    expect(confirmExpiry(state, T0 + 600_000).events).toEqual([]);
  });

  it('expires a node heartbeat only when heartbeats are opted in', () => {
    const heartbeat = observe({ holder: 'worker-7', acquire: null, renew: 0, transitions: null, duration: 40, kind: 'node_heartbeat' });
    const state = deriveEvents(undefined, heartbeat).state;
    expect(getExpiryDueAt(state)).toBeNull();
    expect(confirmExpiry(state, T0 + 600_000, withHeartbeats).events).toHaveLength(1);
  });
});

describe('deriveEvents after an expiry', () => {
  const expired = confirmExpiry(leaderSeenAt(2100), T0 + 30_000).state;

  it('treats the same holder renewing with the same acquireTime as resumed, not as an acquisition', () => {
    const { events } = deriveEvents(expired, observe({ renew: 40_000 }));
    expect(transitionsOf(events)).toEqual([]);
    expect(events.find((event) => event.type === 'resumed')).toEqual({
      type: 'resumed',
      holder: 'host-a_1',
      renewTime: observe({ renew: 40_000 }).renewTime,
      expiredAt: T0 + 17_100,
      observedAt: T0 + 40_050,
      eventKey: 'resumed|0|2024-05-01T10:00:40.000000Z|host-a_1',
    });
  });

  it('keeps the long silence visible as the renewal interval of the resumed holder', () => {
    expect(only(renewalsOf(deriveEvents(expired, observe({ renew: 40_000 })).events)).intervalMs).toBe(38_000);
  });

  it('arms the expiry timer again after a resumed renewal', () => {
    expect(getExpiryDueAt(deriveEvents(expired, observe({ renew: 40_000 })).state)).toBe(T0 + 40_050 + 15_000 + margin);
  });

  it('treats the same holder with a new acquireTime as a re-acquisition after expiry', () => {
    const event = only(transitionsOf(deriveEvents(expired, observe({ acquire: 40_000, transitions: 1 })).events));
    expect(event).toMatchObject({ kind: 'acquired', cause: 'expiry', fromHolder: 'host-a_1', toHolder: 'host-a_1', isRestart: false, leaderlessMs: 23_000, missedCount: 0 });
  });

  it('attributes a successor to the expiry without a second expiry event', () => {
    const { events } = deriveEvents(expired, observe({ holder: 'host-b_1', acquire: 31_000, transitions: 1 }));
    expect(only(transitionsOf(events))).toMatchObject({ kind: 'acquired', cause: 'expiry', fromHolder: 'host-a_1', leaderlessMs: 14_000 });
  });
});
