import { describe, expect, it } from 'vitest';
import { getExpiryDueAt } from '@/lib/leases';
import { T0, feed, observe, only, release, renewals, renewalsOf, transitionsOf } from './factory';

const leading = renewals('host-a_1', 0, 10_000, 4);

describe('deriveEvents: graceful release (ReleaseOnCancel)', () => {
  it('derives a release from the previous holder at the release time', () => {
    const { events } = feed([...leading, release(11_000, 4)]);
    expect(only(transitionsOf(events, 'released'))).toEqual({
      type: 'transition',
      kind: 'released',
      cause: null,
      at: T0 + 11_000,
      atIso: '2024-05-01T10:00:11.000000Z',
      observedAt: T0 + 11_050,
      fromHolder: 'host-a_1',
      toHolder: null,
      isRestart: false,
      leaderlessMs: null,
      overlapMs: null,
      leaseTransitions: 4,
      missedCount: 0,
      eventKey: 'released|4|2024-05-01T10:00:11.000000Z',
    });
  });

  it('records no renewal sample for the release record', () => {
    const { events } = feed([...leading, release(11_000, 4)]);
    expect(renewalsOf(events).at(-1)?.renewTime.ms).toBe(T0 + 10_000);
  });

  it('clears the holder but remembers who led last', () => {
    const { state } = feed([...leading, release(11_000, 4)]);
    expect(state).toMatchObject({ holderSince: null, lastLeader: 'host-a_1' });
  });

  it('schedules no expiry for a released lease', () => {
    expect(getExpiryDueAt(feed([...leading, release(11_000, 4)]).state)).toBeNull();
  });

  it('attributes the next acquisition to the release, with the leaderless gap', () => {
    const { events } = feed([...leading, release(11_000, 4), observe({ holder: 'host-b_1', acquire: 12_300, transitions: 5 })]);
    expect(transitionsOf(events, 'acquired').at(-1)).toMatchObject({ cause: 'release', fromHolder: 'host-a_1', toHolder: 'host-b_1', leaderlessMs: 1300, overlapMs: null, missedCount: 0 });
  });

  it('flags a restart on the same host across a release', () => {
    const { events } = feed([...leading, release(11_000, 4), observe({ holder: 'host-a_2', acquire: 14_000, transitions: 5 })]);
    expect(transitionsOf(events, 'acquired').at(-1)).toMatchObject({ cause: 'release', isRestart: true });
  });

  it('never reports a negative gap after a release (clock skew between holders)', () => {
    const { events } = feed([...leading, release(11_000, 4), observe({ holder: 'host-b_1', acquire: 10_500, transitions: 5 })]);
    expect(transitionsOf(events, 'acquired').at(-1)).toMatchObject({ cause: 'release', leaderlessMs: 0, overlapMs: null });
  });

  it('attributes an acquisition of a lease first seen released to the release', () => {
    const { events } = feed([release(11_000, 4), observe({ holder: 'host-b_1', acquire: 12_000, transitions: 5 })]);
    expect(only(transitionsOf(events))).toMatchObject({ cause: 'release', fromHolder: null, leaderlessMs: 1000 });
  });
});
