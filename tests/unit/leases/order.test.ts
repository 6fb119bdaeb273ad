import { describe, expect, it } from 'vitest';
import { deriveEvents } from '@/lib/leases';
import { T0, feed, observe, only, release, renewals, transitionsOf } from './factory';

const history = [...renewals('host-a_1', 0, 6000, 0), release(7000, 0), observe({ holder: 'host-b_1', acquire: 8000, transitions: 1 }), observe({ holder: 'host-b_1', acquire: 8000, renew: 10_000, transitions: 1 })];

describe('deriveEvents: duplicates and order', () => {
  it('derives nothing from a re-delivered observation and keeps the same state object', () => {
    const { state } = feed(history);
    const again = deriveEvents(state, history.at(-1)!);
    expect(again.events).toEqual([]);
    expect(again.state).toBe(state);
  });

  it('derives the same events and keys when replayed from an earlier state', () => {
    const start = feed(history.slice(0, 2)).state;
    const first = feed(history.slice(2), start);
    const replay = feed(history.slice(2), start);
    expect(replay.events).toEqual(first.events);
    expect(transitionsOf(replay.events).map((event) => event.eventKey)).toEqual(['released|0|2024-05-01T10:00:07.000000Z', 'acquired|1|2024-05-01T10:00:08.000000Z|host-b_1']);
  });

  it('derives nothing when every observation is delivered twice', () => {
    const once = feed(history);
    const twice = feed(history.flatMap((observation) => [observation, observation]));
    expect(twice.events).toEqual(once.events);
    expect(twice.state).toEqual(once.state);
  });

  it('ignores an older record the watch delivers after a direct read showed a newer one', () => {
    const { state } = feed([...history.slice(0, -1), { ...history.at(-1)!, source: 'read' }]);
    const stale = deriveEvents(state, observe({ holder: 'host-b_1', acquire: 8000, renew: 9000, transitions: 1, rv: 'late-copy', at: 20_000 }));
    expect(stale.events).toEqual([]);
    expect(stale.state).toBe(state);
  });

  it('records a reset, never drops it, when the record goes back to fewer leaseTransitions (etcd restore)', () => {
    const { state } = feed(history);
    const reset = deriveEvents(state, observe({ holder: 'host-a_1', acquire: 0, renew: 6000, transitions: 0, rv: 'restored', at: 20_000 }));
    expect(only(transitionsOf(reset.events))).toMatchObject({ kind: 'reset', fromHolder: 'host-b_1', toHolder: 'host-a_1', leaseTransitions: 0, at: T0 + 20_000, missedCount: 0 });
    expect(reset.state).toMatchObject({ holderSince: T0 + 20_000, lastLeader: 'host-a_1', isExpired: false });
    expect(reset.state.last.leaseTransitions).toBe(0);
  });

  it('takes the record after a reset as the base for what follows (renewals, next takeover)', () => {
    const { events } = feed([...history, observe({ holder: 'host-a_1', acquire: 0, renew: 6000, transitions: 0, rv: 'restored', at: 20_000 }), observe({ holder: 'host-a_1', acquire: 0, renew: 22_000, transitions: 0 }), observe({ holder: 'host-c_1', acquire: 40_000, transitions: 1 })]);
    expect(transitionsOf(events).map((t) => `${t.kind}:${t.toHolder ?? ''}:${t.missedCount}`)).toEqual(['acquired:host-a_1:0', 'released::0', 'acquired:host-b_1:0', 'reset:host-a_1:0', 'acquired:host-c_1:0']);
  });

  it('records a reset when the same count comes back with an older acquireTime (a restored release)', () => {
    const { state } = feed(history.slice(0, 5));
    expect(only(transitionsOf(deriveEvents(state, observe({ holder: 'host-a_1', acquire: 0, renew: 6000, transitions: 0, rv: 'late' })).events))).toMatchObject({ kind: 'reset', fromHolder: null, toHolder: 'host-a_1' });
  });

  it('takes an older renewTime of the same holder as its clock being corrected: a renewal, no reset', () => {
    const { state } = feed(history);
    const { events, state: next } = deriveEvents(state, observe({ holder: 'host-b_1', acquire: 8000, renew: 9000, transitions: 1 }));
    expect(transitionsOf(events)).toEqual([]);
    expect(events.filter((event) => event.type === 'renewal')).toMatchObject([{ intervalMs: null }]);
    expect(next.last.renewTime?.ms).toBe(T0 + 9000);
  });

  it('orders by the Lease facts, not by resourceVersion', () => {
    const { events } = feed([observe({ renew: 0, rv: '900' }), observe({ renew: 2000, rv: '1000' }), observe({ renew: 4000, rv: '99' })]);
    expect(events.filter((event) => event.type === 'renewal')).toHaveLength(3);
  });

  it('treats a new uid without a deletion we saw as a recreated lease of unknown cause', () => {
    const { state } = feed(history);
    const event = only(transitionsOf(deriveEvents(state, observe({ holder: 'host-c_1', acquire: 60_000, transitions: 0, uid: 'uid-2' })).events));
    expect(event).toMatchObject({ kind: 'acquired', cause: 'unknown', fromHolder: null, missedCount: 0 });
  });
});
