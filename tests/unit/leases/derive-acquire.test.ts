import { describe, expect, it } from 'vitest';
import { deriveEvents } from '@/lib/leases';
import { T0, feed, observe, only, renewals, renewalsOf, transitionsOf } from './factory';

describe('deriveEvents: first sighting', () => {
  it('derives an acquisition with cause first at the acquireTime', () => {
    const { events } = deriveEvents(undefined, observe({ holder: 'host-a_1', acquire: 0, renew: 4000, transitions: 0 }));
    expect(only(transitionsOf(events))).toEqual({
      type: 'transition',
      kind: 'acquired',
      cause: 'first',
      at: T0,
      atIso: '2024-05-01T10:00:00.000000Z',
      observedAt: T0 + 4050,
      fromHolder: null,
      toHolder: 'host-a_1',
      isRestart: false,
      leaderlessMs: null,
      overlapMs: null,
      leaseTransitions: 0,
      missedCount: 0,
      eventKey: 'acquired|0|2024-05-01T10:00:00.000000Z|host-a_1',
    });
  });

  // Rule: transitions before our first look are history, not changes we missed.
  it('does not count leaseTransitions > 0 at first sighting as missed', () => {
    const event = only(transitionsOf(deriveEvents(undefined, observe({ transitions: 7 })).events));
    expect(event).toMatchObject({ cause: 'first', missedCount: 0, leaseTransitions: 7 });
  });

  it('derives nothing for a lease first seen released', () => {
    expect(transitionsOf(deriveEvents(undefined, observe({ holder: null, duration: 1, transitions: 3 })).events)).toEqual([]);
  });

  it('records the first renewal sample without an interval', () => {
    const renewal = only(renewalsOf(deriveEvents(undefined, observe({ acquire: 0, renew: 6000, at: 6080 })).events));
    expect(renewal).toMatchObject({ holder: 'host-a_1', intervalMs: null, lagMs: 80 });
  });

  it('remembers the holder, since when and why', () => {
    const { state } = deriveEvents(undefined, observe({ acquire: 1000, renew: 9000 }));
    expect(state).toMatchObject({ holderSince: T0 + 1000, lastCause: 'first', lastLeader: 'host-a_1', isBlind: false, isExpired: false });
  });

  it('calls an acquisition of a lease created empty first', () => {
    const { events } = feed([observe({ holder: null, acquire: null, renew: null, transitions: 0, duration: null }), observe({ holder: 'host-b_1', acquire: 3000, transitions: 1 })]);
    expect(only(transitionsOf(events))).toMatchObject({ cause: 'first', fromHolder: null, toHolder: 'host-b_1' });
  });
});

describe('deriveEvents: takeover', () => {
  const leader = renewals('host-a_1', 0, 10_000, 0);

  it('derives an expiry takeover after a crash, with the leaderless gap', () => {
    const { events } = feed([...leader, observe({ holder: 'host-b_1', acquire: 28_000, transitions: 1 })]);
    const takeover = transitionsOf(events, 'acquired').at(-1);
    expect(takeover).toMatchObject({ cause: 'expiry', fromHolder: 'host-a_1', toHolder: 'host-b_1', leaderlessMs: 3000, overlapMs: null, leaseTransitions: 1, missedCount: 0, at: T0 + 28_000 });
  });

  it('still calls a takeover within the tolerance an expiry, with its small overlap', () => {
    const { events } = feed([...leader, observe({ holder: 'host-b_1', acquire: 24_500, transitions: 1 })]);
    expect(transitionsOf(events, 'acquired').at(-1)).toMatchObject({ cause: 'expiry', leaderlessMs: 0, overlapMs: 500 });
  });

  it('flags a takeover while the previous lease was still valid as early, with the overlap', () => {
    const { events } = feed([...leader, observe({ holder: 'host-b_1', acquire: 15_000, transitions: 1 })]);
    expect(transitionsOf(events, 'acquired').at(-1)).toMatchObject({ cause: 'early_takeover', leaderlessMs: 0, overlapMs: 10_000 });
  });

  it('does not flag an early takeover that only the holder clocks claim', () => {
    const { events } = feed([...leader, observe({ holder: 'host-b_1', acquire: 20_000, transitions: 1, at: 28_050 })]);
    expect(transitionsOf(events, 'acquired').at(-1)).toMatchObject({ cause: 'expiry', leaderlessMs: 3000, overlapMs: null });
  });

  it('flags an early takeover by a holder whose clock runs ahead', () => {
    const { events } = feed([...leader, observe({ holder: 'host-b_1', acquire: 35_000, transitions: 1, at: 15_050 })]);
    expect(transitionsOf(events, 'acquired').at(-1)).toMatchObject({ cause: 'early_takeover', overlapMs: 9950 });
  });

  it('cannot confirm an early takeover when the old record was only seen in a relist', () => {
    const { events } = feed([observe({ renew: 10_000, at: 14_000, source: 'list' }), observe({ holder: 'host-b_1', acquire: 15_000, transitions: 1 })]);
    expect(transitionsOf(events, 'acquired').at(-1)).toMatchObject({ cause: 'unknown', leaderlessMs: null, overlapMs: null });
  });

  it('still judges an expiry when the old record was only seen in a relist', () => {
    const { events } = feed([observe({ renew: 10_000, at: 14_000, source: 'list' }), observe({ holder: 'host-b_1', acquire: 27_000, transitions: 1 })]);
    expect(transitionsOf(events, 'acquired').at(-1)).toMatchObject({ cause: 'expiry', leaderlessMs: 2000 });
  });

  it('judges against the last renewTime it saw, not the acquireTime', () => {
    const { events } = feed([observe({ acquire: 0, renew: 0 }), observe({ acquire: 0, renew: 60_000 }), observe({ holder: 'host-b_1', acquire: 70_000, transitions: 1 })]);
    expect(transitionsOf(events, 'acquired').at(-1)).toMatchObject({ cause: 'early_takeover', overlapMs: 5000 });
  });

  it('sets the restart flag when the new identity is on the same host', () => {
    const { events } = feed([...leader, observe({ holder: 'host-a_2', acquire: 28_000, transitions: 1 })]);
    expect(transitionsOf(events, 'acquired').at(-1)).toMatchObject({ isRestart: true, cause: 'expiry' });
  });

  it('does not set the restart flag for another host', () => {
    const { events } = feed([...leader, observe({ holder: 'host-b_1', acquire: 28_000, transitions: 1 })]);
    expect(transitionsOf(events, 'acquired').at(-1)?.isRestart).toBe(false);
  });

  it('does not set the restart flag for identities without a host part', () => {
    const { events } = feed([observe({ holder: 'controller' }), observe({ holder: 'controller-2', acquire: 20_000, transitions: 1 })]);
    expect(transitionsOf(events, 'acquired').at(-1)?.isRestart).toBe(false);
  });

  it('starts a new renewal chain for the new holder', () => {
    const { events } = feed([...leader, observe({ holder: 'host-b_1', acquire: 28_000, transitions: 1 }), observe({ holder: 'host-b_1', acquire: 28_000, renew: 30_000, transitions: 1 })]);
    expect(renewalsOf(events).slice(-2).map((renewal) => [renewal.holder, renewal.intervalMs])).toEqual([
      ['host-b_1', null],
      ['host-b_1', 2000],
    ]);
  });

  it('records the new holder, its start and the cause in the state', () => {
    const { state } = feed([...leader, observe({ holder: 'host-b_1', acquire: 28_000, transitions: 1 })]);
    expect(state).toMatchObject({ holderSince: T0 + 28_000, lastCause: 'expiry', lastLeader: 'host-b_1' });
  });

  it('gives every acquisition its own key, built from the Lease facts', () => {
    const { events } = feed([...leader, observe({ holder: 'host-b_1', acquire: 28_000, transitions: 1 }), observe({ holder: 'host-a_2', acquire: 50_000, transitions: 2 })]);
    expect(transitionsOf(events, 'acquired').map((event) => event.eventKey)).toEqual([
      'acquired|0|2024-05-01T10:00:00.000000Z|host-a_1',
      'acquired|1|2024-05-01T10:00:28.000000Z|host-b_1',
      'acquired|2|2024-05-01T10:00:50.000000Z|host-a_2',
    ]);
  });

  it('uses renewTime as the start when a library writes no acquireTime', () => {
    const { events } = feed([observe({ acquire: null, renew: 10_000 }), observe({ holder: 'host-b_1', acquire: null, renew: 27_000, transitions: 1 })]);
    expect(transitionsOf(events, 'acquired').at(-1)).toMatchObject({ cause: 'expiry', leaderlessMs: 2000, at: T0 + 27_000 });
  });

  it('cannot judge a takeover when the previous holder wrote no renewTime', () => {
    const { events } = feed([observe({ acquire: null, renew: null }), observe({ holder: 'host-b_1', acquire: 27_000, transitions: 1 })]);
    expect(transitionsOf(events, 'acquired').at(-1)).toMatchObject({ cause: 'unknown', leaderlessMs: null, overlapMs: null });
  });

  it('honours a custom early-takeover tolerance', () => {
    const { events } = feed([...leader, observe({ holder: 'host-b_1', acquire: 22_000, transitions: 1 })], undefined, {
      earlyTakeoverToleranceMs: 5000,
      skewMarginMs: 5000,
      includeNodeHeartbeats: false,
      skew: { futureMarginMs: 1000, steadyThresholdMs: 2000, windowSize: 10, changeMs: 1000 },
    });
    expect(transitionsOf(events, 'acquired').at(-1)).toMatchObject({ cause: 'expiry', overlapMs: 3000 });
  });
});
