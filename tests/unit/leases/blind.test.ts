import { describe, expect, it } from 'vitest';
import { type LeaseState, deriveEvents, markBlind, getExpiryDueAt } from '@/lib/leases';
import { T0, feed, observe, only, release, renewals, transitionsOf } from './factory';

function blindAfterLeader(transitions = 4): LeaseState {
  return markBlind(feed(renewals('host-a_1', 0, 6000, transitions)).state);
}

describe('deriveEvents after a blind spot (relist, 410, outage)', () => {
  it('counts a delta of 3 with a new holder as 2 missed plus one acquisition from the last known holder', () => {
    const { events } = deriveEvents(blindAfterLeader(), observe({ holder: 'host-c_1', acquire: 90_000, renew: 120_000, transitions: 7, source: 'list' }));
    expect(only(transitionsOf(events))).toMatchObject({
      kind: 'acquired',
      cause: 'unknown',
      fromHolder: 'host-a_1',
      toHolder: 'host-c_1',
      isRestart: false,
      leaderlessMs: null,
      overlapMs: null,
      missedCount: 2,
      leaseTransitions: 7,
      at: T0 + 90_000,
    });
    expect(events.filter((event) => event.type === 'missed')).toEqual([]);
  });

  it('counts the same holder back with a delta of 2 as one acquisition from itself plus 1 missed', () => {
    const { events } = deriveEvents(blindAfterLeader(), observe({ holder: 'host-a_1', acquire: 80_000, renew: 120_000, transitions: 6, source: 'list' }));
    expect(only(transitionsOf(events))).toMatchObject({ kind: 'acquired', cause: 'unknown', fromHolder: 'host-a_1', toHolder: 'host-a_1', missedCount: 1, leaseTransitions: 6 });
    expect(events.filter((event) => event.type === 'missed')).toEqual([]);
  });

  it('counts a grown count with the same tenure (acquireTime unchanged) as missed only', () => {
    const { events } = deriveEvents(blindAfterLeader(), observe({ holder: 'host-a_1', acquire: 0, renew: 120_000, transitions: 6, source: 'list' }));
    expect(transitionsOf(events)).toEqual([]);
    expect(events.find((event) => event.type === 'missed')).toEqual({ type: 'missed', count: 2, fromTransitions: 4, toTransitions: 6, holder: 'host-a_1', observedAt: T0 + 120_050, eventKey: 'missed|4|6' });
  });

  it('calls a single change while blind unknown but knows who led before', () => {
    const { events } = deriveEvents(blindAfterLeader(), observe({ holder: 'host-a_2', acquire: 30_000, transitions: 5, source: 'list' }));
    expect(only(transitionsOf(events))).toMatchObject({ cause: 'unknown', fromHolder: 'host-a_1', isRestart: true, missedCount: 0, leaderlessMs: null });
  });

  it('derives a release seen after a blind spot, with the acquisitions it missed', () => {
    const { events } = deriveEvents(blindAfterLeader(), release(50_000, 5));
    expect(only(transitionsOf(events))).toMatchObject({ kind: 'released', fromHolder: null, missedCount: 1, at: T0 + 50_000 });
  });

  it('does not know who led after a release seen with missed changes', () => {
    const { events } = feed([release(50_000, 5), observe({ holder: 'host-b_1', acquire: 51_000, transitions: 6 })], blindAfterLeader());
    expect(transitionsOf(events, 'acquired').at(-1)).toMatchObject({ cause: 'release', fromHolder: null });
  });

  it('derives only a renewal when nothing changed hands while blind', () => {
    const { events } = deriveEvents(blindAfterLeader(), observe({ renew: 40_000, transitions: 4, source: 'list' }));
    expect(events.map((event) => event.type)).toEqual(['renewal']);
  });

  it('counts unseen changes between two watch events too (a dropped watch line)', () => {
    const { events } = feed([...renewals('host-a_1', 0, 6000, 4), observe({ holder: 'host-c_1', acquire: 60_000, transitions: 6 })]);
    expect(transitionsOf(events, 'acquired').at(-1)).toMatchObject({ cause: 'unknown', fromHolder: 'host-a_1', missedCount: 1 });
  });

  it('counts released-and-released-again as missed with no transition', () => {
    const { events } = deriveEvents(markBlind(feed([release(1000, 2)]).state), release(90_000, 3));
    expect(transitionsOf(events)).toEqual([]);
    expect(events.find((event) => event.type === 'missed')).toMatchObject({ count: 1, holder: null });
  });

  it('never invents missed changes for a library that does not count transitions', () => {
    const { events } = feed([observe({ transitions: 4 }), observe({ holder: 'host-b_1', acquire: 30_000, transitions: 4 })]);
    expect(only(transitionsOf(events, 'acquired').slice(1))).toMatchObject({ cause: 'expiry', missedCount: 0 });
  });

  it('counts nothing when leaseTransitions is absent', () => {
    const { events } = deriveEvents(markBlind(deriveEvents(undefined, observe({ transitions: null })).state), observe({ holder: 'host-b_1', acquire: 30_000, transitions: null }));
    expect(only(transitionsOf(events))).toMatchObject({ cause: 'unknown', missedCount: 0 });
  });

  it('sees again after the first observation: the next change gets its real cause', () => {
    const { events } = feed(
      [observe({ holder: 'host-b_1', acquire: 30_000, renew: 30_000, transitions: 5, source: 'list' }), observe({ holder: 'host-c_1', acquire: 50_000, transitions: 6 })],
      blindAfterLeader(),
    );
    expect(transitionsOf(events).map((event) => event.cause)).toEqual(['unknown', 'expiry']);
  });

  it('keeps the expiry clock of an unchanged record seen again after the blind spot', () => {
    const before = feed(renewals('host-a_1', 0, 6000, 4)).state;
    const { state } = deriveEvents(markBlind(before), { ...before.last, observedAt: T0 + 300_000, source: 'list' });
    expect(state.isBlind).toBe(false);
    expect(getExpiryDueAt(state)).toBe(getExpiryDueAt(before));
  });

  it('records a reset when the relist after a blind spot shows fewer transitions than we knew', () => {
    const { state, events } = deriveEvents(blindAfterLeader(), observe({ renew: 0, acquire: 0, transitions: 3, rv: 'old', source: 'list' }));
    expect(state.isBlind).toBe(false);
    expect(only(transitionsOf(events))).toMatchObject({ kind: 'reset', leaseTransitions: 3 });
  });

  it('marks a state blind only once', () => {
    const state = blindAfterLeader();
    expect(markBlind(state)).toBe(state);
  });
});
