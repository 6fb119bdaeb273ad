import { describe, expect, it } from 'vitest';
import { buildChurnTimeline, buildTimeline, type TimelineTransition } from '../../../lib/ui/timeline';

const t = (partial: Partial<TimelineTransition> & Pick<TimelineTransition, 'at' | 'kind'>): TimelineTransition => ({
  id: String(partial.at),
  cause: null,
  fromHolder: null,
  toHolder: null,
  isRestart: false,
  leaderlessMs: null,
  overlapMs: null,
  missedCount: 0,
  ...partial,
});

describe('buildTimeline', () => {
  it('shows one holder for the whole range when nothing changed', () => {
    const { segments } = buildTimeline({ from: 0, to: 100, transitions: [], gaps: [], currentHolder: 'a_1', holderSince: -50 });
    expect(segments).toEqual([{ type: 'held', start: 0, end: 100, holder: 'a_1' }]);
  });

  it('marks the time before Leasetrail first saw the lease as not observed', () => {
    const { segments } = buildTimeline({ from: 0, to: 100, transitions: [t({ at: 40, kind: 'acquired', cause: 'first', toHolder: 'a_1' })], gaps: [], currentHolder: 'a_1', holderSince: 40 });
    expect(segments).toEqual([
      { type: 'unknown', start: 0, end: 40, reason: 'before Leasetrail saw this lease' },
      { type: 'held', start: 40, end: 100, holder: 'a_1' },
    ]);
  });

  it('draws the leaderless gap before an expiry takeover', () => {
    const { segments } = buildTimeline({
      from: 0,
      to: 100,
      transitions: [t({ at: 60, kind: 'acquired', cause: 'expiry', fromHolder: 'a_1', toHolder: 'b_2', leaderlessMs: 15 })],
      gaps: [],
      currentHolder: 'b_2',
      holderSince: 60,
    });
    expect(segments).toEqual([
      { type: 'held', start: 0, end: 45, holder: 'a_1' },
      { type: 'leaderless', start: 45, end: 60 },
      { type: 'held', start: 60, end: 100, holder: 'b_2' },
    ]);
  });

  it('is leaderless between a release and the next acquisition', () => {
    const { segments } = buildTimeline({
      from: 0,
      to: 100,
      transitions: [
        t({ at: 30, kind: 'released', fromHolder: 'a_1' }),
        t({ at: 32, kind: 'acquired', cause: 'release', fromHolder: 'a_1', toHolder: 'b_2', leaderlessMs: 2 }),
      ],
      gaps: [],
      currentHolder: 'b_2',
      holderSince: 32,
    });
    expect(segments).toEqual([
      { type: 'held', start: 0, end: 30, holder: 'a_1' },
      { type: 'leaderless', start: 30, end: 32 },
      { type: 'held', start: 32, end: 100, holder: 'b_2' },
    ]);
  });

  it('lays observation gaps over the holder, never as a quiet period', () => {
    const { segments } = buildTimeline({ from: 0, to: 100, transitions: [], gaps: [{ startedAt: 20, endedAt: 50, reason: 'history_expired' }], currentHolder: 'a_1', holderSince: -1 });
    expect(segments).toEqual([
      { type: 'held', start: 0, end: 20, holder: 'a_1' },
      { type: 'unknown', start: 20, end: 50, reason: 'history_expired' },
      { type: 'held', start: 50, end: 100, holder: 'a_1' },
    ]);
  });

  it('treats an open gap as lasting to the end of the range', () => {
    const { segments } = buildTimeline({ from: 0, to: 100, transitions: [], gaps: [{ startedAt: 80, endedAt: null, reason: 'connect_failed' }], currentHolder: 'a_1', holderSince: -1 });
    expect(segments.at(-1)).toEqual({ type: 'unknown', start: 80, end: 100, reason: 'connect_failed' });
  });

  it('marks early takeovers, restarts and missed transitions', () => {
    const { markers } = buildTimeline({
      from: 0,
      to: 100,
      transitions: [
        t({ at: 10, kind: 'acquired', cause: 'early_takeover', fromHolder: 'a_1', toHolder: 'b_2', overlapMs: 3 }),
        t({ at: 20, kind: 'acquired', cause: 'expiry', fromHolder: 'b_2', toHolder: 'b_3', isRestart: true }),
        t({ at: 30, kind: 'acquired', cause: 'unknown', toHolder: 'c_4', missedCount: 2 }),
      ],
      gaps: [],
      currentHolder: 'c_4',
      holderSince: 30,
    });
    expect(markers.map((m) => [m.at, m.type])).toEqual([
      [10, 'early_takeover'],
      [20, 'restart'],
      [30, 'unknown_cause'],
      [30, 'missed'],
    ]);
  });
});

describe('a lease drawn as churn', () => {
  const bucket = (start: number, end: number, failovers: number, summary: { ledMs: number; leaderlessMs: number; unknownMs: number } | null = null) => ({ start, end, failovers, missed: 0, summary });

  it('draws one churn segment per bucket, carrying what is known of it', () => {
    const { segments } = buildChurnTimeline({ buckets: [bucket(0, 600, 4), bucket(600, 1_200, 7, { ledMs: 500, leaderlessMs: 100, unknownMs: 0 })], gaps: [] });
    expect(segments).toEqual([
      { type: 'churn', start: 0, end: 600, failovers: 4, missed: 0, ledMs: null, leaderlessMs: null },
      { type: 'churn', start: 600, end: 1_200, failovers: 7, missed: 0, ledMs: 500, leaderlessMs: 100 },
    ]);
  });

  it('lays blind spots over the buckets, one unknown segment across bucket edges', () => {
    const { segments } = buildChurnTimeline({ buckets: [bucket(0, 600, 4), bucket(600, 1_200, 7)], gaps: [{ startedAt: 500, endedAt: 700, reason: 'watch_lost' }] });
    expect(segments.map((segment) => [segment.type, segment.start, segment.end])).toEqual([
      ['churn', 0, 500],
      ['unknown', 500, 700],
      ['churn', 700, 1_200],
    ]);
  });

  it('leaves nothing of a bucket an open gap covers', () => {
    const { segments } = buildChurnTimeline({ buckets: [bucket(0, 600, 4), bucket(600, 1_200, 7)], gaps: [{ startedAt: 300, endedAt: null, reason: 'controller_down' }] });
    expect(segments.map((segment) => [segment.type, segment.start, segment.end])).toEqual([
      ['churn', 0, 300],
      ['unknown', 300, 1_200],
    ]);
  });
});
