import { describe, expect, it } from 'vitest';
import { beforeFirstSightReason, deriveWindowStartState } from '../../../lib/timeline/window-start';
import { buildTimeline } from '../../../lib/ui/timeline';

const from = 1_000_000;

describe('deriveWindowStartState', () => {
  it('is held by the holder of the last acquisition before the window', () => {
    expect(deriveWindowStartState({ from, firstSeenAt: 0, lastBefore: { kind: 'acquired', at: 500, toHolder: 'a_1' } })).toEqual({ state: 'held', holder: 'a_1', since: 500 });
  });

  it('is leaderless after a release, an expiry or a deletion', () => {
    for (const kind of ['released', 'expired', 'deleted']) {
      expect(deriveWindowStartState({ from, firstSeenAt: 0, lastBefore: { kind, at: 700, toHolder: null } })).toEqual({ state: 'leaderless', since: 700 });
    }
  });

  it('keeps the holder through a resumption and through changes it knows it missed', () => {
    expect(deriveWindowStartState({ from, firstSeenAt: 0, lastBefore: { kind: 'resumed', at: 10, toHolder: 'a_1' } })).toEqual({ state: 'held', holder: 'a_1', since: 10 });
    expect(deriveWindowStartState({ from, firstSeenAt: 0, lastBefore: { kind: 'missed', at: 20, toHolder: 'b_2' } })).toEqual({ state: 'held', holder: 'b_2', since: 20 });
  });

  it('is not observed before Leasetrail first saw the lease', () => {
    expect(deriveWindowStartState({ from, firstSeenAt: from + 1, lastBefore: null })).toEqual({ state: 'unknown', reason: beforeFirstSightReason });
  });

  it('is leaderless from the first sighting of a lease that was seen without a holder', () => {
    expect(deriveWindowStartState({ from, firstSeenAt: from - 5, lastBefore: null })).toEqual({ state: 'leaderless', since: from - 5 });
    expect(deriveWindowStartState({ from, firstSeenAt: from, lastBefore: null })).toEqual({ state: 'leaderless', since: from });
  });

  it('reads a reset (a record that went backwards) by the holder it carries', () => {
    expect(deriveWindowStartState({ from, firstSeenAt: 0, lastBefore: { kind: 'reset', at: 30, toHolder: 'c_3' } })).toEqual({ state: 'held', holder: 'c_3', since: 30 });
    expect(deriveWindowStartState({ from, firstSeenAt: 0, lastBefore: { kind: 'reset', at: 30, toHolder: null } })).toEqual({ state: 'leaderless', since: 30 });
  });

  it('treats a kind it does not know gracefully: its holder if it has one, otherwise unknown', () => {
    expect(deriveWindowStartState({ from, firstSeenAt: 0, lastBefore: { kind: 'teleported', at: 40, toHolder: 'd_4' } })).toEqual({ state: 'held', holder: 'd_4', since: 40 });
    expect(deriveWindowStartState({ from, firstSeenAt: 0, lastBefore: { kind: 'teleported', at: 40, toHolder: null } })).toMatchObject({ state: 'unknown' });
  });
});

describe('buildTimeline from the state at the window start', () => {
  it('draws a quiet past window inside a tenure as held, though the current holder took over later', () => {
    const { segments } = buildTimeline({ from: 0, to: 100, transitions: [], gaps: [], currentHolder: 'b_2', holderSince: 500, startState: { state: 'held', holder: 'a_1', since: -900 } });
    expect(segments).toEqual([{ type: 'held', start: 0, end: 100, holder: 'a_1' }]);
  });

  it('draws a window that opens while nobody leads as leaderless up to the next acquisition', () => {
    const { segments } = buildTimeline({
      from: 0,
      to: 100,
      transitions: [{ id: '1', kind: 'acquired', cause: 'expiry', at: 30, fromHolder: 'a_1', toHolder: 'b_2', isRestart: false, leaderlessMs: 80, overlapMs: null, missedCount: 0 }],
      gaps: [],
      currentHolder: 'b_2',
      holderSince: 30,
      startState: { state: 'leaderless', since: -50 },
    });
    expect(segments).toEqual([
      { type: 'leaderless', start: 0, end: 30 },
      { type: 'held', start: 30, end: 100, holder: 'b_2' },
    ]);
  });

  it('still lays observation gaps over a known start', () => {
    const { segments } = buildTimeline({ from: 0, to: 100, transitions: [], gaps: [{ startedAt: 40, endedAt: 60, reason: 'history_expired' }], currentHolder: 'a_1', holderSince: 0, startState: { state: 'held', holder: 'a_1', since: -1 } });
    expect(segments.map((segment) => segment.type)).toEqual(['held', 'unknown', 'held']);
  });

  it('marks a reset and an unknown kind without losing the holder they carry', () => {
    const base = { cause: null, fromHolder: 'a_1', isRestart: false, leaderlessMs: null, overlapMs: null, missedCount: 0 };
    const { segments, markers } = buildTimeline({
      from: 0,
      to: 100,
      transitions: [
        { ...base, id: '1', kind: 'reset', at: 20, toHolder: 'b_2' },
        { ...base, id: '2', kind: 'teleported', at: 50, toHolder: 'c_3' },
      ],
      gaps: [],
      currentHolder: 'c_3',
      holderSince: 50,
      startState: { state: 'held', holder: 'a_1', since: -1 },
    });
    expect(segments).toEqual([
      { type: 'held', start: 0, end: 20, holder: 'a_1' },
      { type: 'held', start: 20, end: 50, holder: 'b_2' },
      { type: 'held', start: 50, end: 100, holder: 'c_3' },
    ]);
    expect(markers.map((marker) => marker.type)).toEqual(['reset', 'unknown_cause']);
  });
});
