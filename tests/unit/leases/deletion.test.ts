import { describe, expect, it } from 'vitest';
import { confirmExpiry, deriveDeletion, deriveEvents, getExpiryDueAt } from '@/lib/leases';
import { T0, feed, observe, only, renewals, transitionsOf, withHeartbeats } from './factory';

const leading = feed(renewals('host-a_1', 0, 6000, 2)).state;

describe('deriveDeletion', () => {
  it('derives a deletion from the holder at the time we saw it', () => {
    expect(only(deriveDeletion(leading, T0 + 9000).events)).toEqual({
      type: 'transition',
      kind: 'deleted',
      cause: null,
      at: T0 + 9000,
      observedAt: T0 + 9000,
      fromHolder: 'host-a_1',
      toHolder: null,
      isRestart: false,
      leaderlessMs: null,
      overlapMs: null,
      leaseTransitions: 2,
      missedCount: 0,
      eventKey: 'deleted|uid-1',
    });
  });

  it('derives the deletion once', () => {
    const deleted = deriveDeletion(leading, T0 + 9000).state;
    expect(deriveDeletion(deleted, T0 + 9500).events).toEqual([]);
  });

  it('stops the expiry timer of a deleted lease', () => {
    const deleted = deriveDeletion(leading, T0 + 9000).state;
    expect(getExpiryDueAt(deleted)).toBeNull();
    expect(confirmExpiry(deleted, T0 + 600_000).events).toEqual([]);
  });

  it('keys a deletion by resourceVersion when the lease has no uid', () => {
    const state = deriveEvents(undefined, observe({ uid: null, rv: '77' })).state;
    expect(only(transitionsOf(deriveDeletion(state, T0 + 1000).events)).eventKey).toBe('deleted|rv:77');
  });

  it('ignores a late copy of the deleted object', () => {
    const deleted = deriveDeletion(leading, T0 + 9000).state;
    expect(deriveEvents(deleted, observe({ renew: 8000, transitions: 2 })).events).toEqual([]);
  });

  it('treats a recreated lease (new uid) as a first sighting', () => {
    const deleted = deriveDeletion(leading, T0 + 9000).state;
    const { events, state } = deriveEvents(deleted, observe({ holder: 'host-b_1', acquire: 12_000, transitions: 0, uid: 'uid-2' }));
    expect(only(transitionsOf(events))).toMatchObject({ kind: 'acquired', cause: 'first', fromHolder: null });
    expect(state.deletedAt).toBeNull();
  });

  it('derives no event for a deleted node heartbeat unless heartbeats are opted in', () => {
    const heartbeat = deriveEvents(undefined, observe({ holder: 'worker-7', acquire: null, transitions: null, kind: 'node_heartbeat' }), withHeartbeats).state;
    expect(deriveDeletion(heartbeat, T0 + 1000).events).toEqual([]);
    expect(deriveDeletion(heartbeat, T0 + 1000, withHeartbeats).events).toHaveLength(1);
  });
});
