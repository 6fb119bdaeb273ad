import { describe, expect, it } from 'vitest';
import { deriveEvents } from '@/lib/leases';
import { feed, observe, only, release, renewals, transitionsOf } from './factory';

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

  it('ignores an older holder arriving after a newer one (relist racing the watch)', () => {
    const { state } = feed(history);
    const stale = deriveEvents(state, observe({ holder: 'host-a_1', acquire: 0, renew: 6000, transitions: 0, rv: 'late-copy', at: 20_000 }));
    expect(stale.events).toEqual([]);
    expect(stale.state).toBe(state);
  });

  it('ignores a renewal of the old holder arriving after its release', () => {
    const { state } = feed(history.slice(0, 5));
    expect(deriveEvents(state, observe({ holder: 'host-a_1', acquire: 0, renew: 6000, transitions: 0, rv: 'late' })).events).toEqual([]);
  });

  it('ignores an older renewal of the same holder', () => {
    const { state } = feed(history);
    expect(deriveEvents(state, observe({ holder: 'host-b_1', acquire: 8000, renew: 9000, transitions: 1 })).events).toEqual([]);
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
