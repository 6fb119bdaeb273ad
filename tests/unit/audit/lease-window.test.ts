import { describe, expect, it } from 'vitest';
import { summarizeLeaseWindow, type LeaseWindowInput } from '../../../lib/audit/lease-window';
import type { TimelineTransition } from '../../../lib/ui/timeline';

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

const held = (holder: string) => ({ kind: 'acquired' as const, toHolder: holder });
const base: LeaseWindowInput = { from: 0, to: 1_000, transitions: [], lastBefore: held('a_1'), firstSeenAt: -5_000, gaps: [] };

describe('summarizeLeaseWindow', () => {
  it('is led for the whole window when nothing changed', () => {
    expect(summarizeLeaseWindow(base)).toEqual({
      failovers: 0,
      earlyTakeovers: 0,
      missed: 0,
      leaderlessMs: 0,
      longestLeaderlessMs: 0,
      ledMs: 1_000,
      unknownMs: 0,
      windowMs: 1_000,
      ledShare: 1,
    });
  });

  it('counts the leaderless gap before an expiry takeover', () => {
    const summary = summarizeLeaseWindow({
      ...base,
      transitions: [t({ at: 400, kind: 'acquired', cause: 'expiry', fromHolder: 'a_1', toHolder: 'b_2', leaderlessMs: 150 })],
    });
    expect(summary).toMatchObject({ failovers: 1, leaderlessMs: 150, longestLeaderlessMs: 150, ledMs: 850, unknownMs: 0, ledShare: 0.85 });
  });

  it('sums several leaderless spans and keeps the longest', () => {
    const summary = summarizeLeaseWindow({
      ...base,
      transitions: [
        t({ at: 200, kind: 'acquired', cause: 'expiry', fromHolder: 'a_1', toHolder: 'b_2', leaderlessMs: 50 }),
        t({ at: 500, kind: 'released', fromHolder: 'b_2' }),
        t({ at: 620, kind: 'acquired', cause: 'release', fromHolder: 'b_2', toHolder: 'c_3', leaderlessMs: 120 }),
      ],
    });
    expect(summary).toMatchObject({ failovers: 2, leaderlessMs: 170, longestLeaderlessMs: 120, ledMs: 830 });
  });

  it('is leaderless after an expiry without successor, to the end of the window', () => {
    const summary = summarizeLeaseWindow({ ...base, transitions: [t({ at: 700, kind: 'expired', fromHolder: 'a_1' })] });
    expect(summary).toMatchObject({ failovers: 0, leaderlessMs: 300, longestLeaderlessMs: 300, ledMs: 700 });
  });

  it('joins leaderless spans that touch into one when finding the longest', () => {
    const summary = summarizeLeaseWindow({
      ...base,
      transitions: [t({ at: 300, kind: 'released', fromHolder: 'a_1' }), t({ at: 400, kind: 'deleted' }), t({ at: 900, kind: 'acquired', cause: 'unknown', toHolder: 'b_2' })],
    });
    expect(summary).toMatchObject({ leaderlessMs: 600, longestLeaderlessMs: 600, ledMs: 400 });
  });

  it('counts time inside an observation gap as unknown, neither led nor leaderless', () => {
    const summary = summarizeLeaseWindow({
      ...base,
      transitions: [t({ at: 600, kind: 'acquired', cause: 'unknown', toHolder: 'b_2', missedCount: 2 })],
      gaps: [{ startedAt: 300, endedAt: 550, reason: 'history_expired' }],
    });
    expect(summary).toMatchObject({ failovers: 1, missed: 2, unknownMs: 250, leaderlessMs: 0, ledMs: 750, ledShare: 0.75 });
  });

  it('knows who led when the window opened from the transition before it, even when the first one inside is unknown', () => {
    const summary = summarizeLeaseWindow({
      ...base,
      lastBefore: held('a_1'),
      transitions: [t({ at: 500, kind: 'acquired', cause: 'unknown', toHolder: 'b_2', missedCount: 1 })],
      gaps: [{ startedAt: 200, endedAt: 520, reason: 'history_expired' }],
    });
    expect(summary).toMatchObject({ ledMs: 680, unknownMs: 320, leaderlessMs: 0 });
  });

  it('cuts a leaderless span where a gap covers part of it', () => {
    const summary = summarizeLeaseWindow({
      ...base,
      transitions: [t({ at: 500, kind: 'expired', fromHolder: 'a_1' })],
      gaps: [{ startedAt: 700, endedAt: 800, reason: 'watch_lost' }],
    });
    expect(summary).toMatchObject({ leaderlessMs: 400, longestLeaderlessMs: 200, unknownMs: 100, ledMs: 500 });
  });

  it('treats a gap still open as blind to the end of the window', () => {
    const summary = summarizeLeaseWindow({ ...base, gaps: [{ startedAt: 900, endedAt: null, reason: 'connect_failed' }] });
    expect(summary).toMatchObject({ ledMs: 900, unknownMs: 100 });
  });

  it('starts leaderless when the window opens after a release', () => {
    const summary = summarizeLeaseWindow({ ...base, lastBefore: { kind: 'released', toHolder: null } });
    expect(summary).toMatchObject({ leaderlessMs: 1_000, ledMs: 0, ledShare: 0 });
  });

  it('is unknown before the first sighting of a lease that appears in the window', () => {
    const summary = summarizeLeaseWindow({ ...base, lastBefore: null, firstSeenAt: 250, transitions: [t({ at: 250, kind: 'acquired', cause: 'first', toHolder: 'a_1' })] });
    expect(summary).toMatchObject({ failovers: 0, unknownMs: 250, ledMs: 750 });
  });

  it('is leaderless from the first sighting of a lease nobody ever held', () => {
    const summary = summarizeLeaseWindow({ ...base, lastBefore: null, firstSeenAt: 400 });
    expect(summary).toMatchObject({ unknownMs: 400, leaderlessMs: 600, ledMs: 0 });
  });

  it('counts early takeovers and missed changes, and never a first sighting as a failover', () => {
    const summary = summarizeLeaseWindow({
      ...base,
      transitions: [
        t({ at: 100, kind: 'acquired', cause: 'early_takeover', fromHolder: 'a_1', toHolder: 'b_2', overlapMs: 300 }),
        t({ at: 300, kind: 'missed', fromHolder: 'b_2', toHolder: 'b_2', missedCount: 2 }),
        t({ at: 500, kind: 'acquired', cause: 'first', toHolder: 'c_3' }),
      ],
    });
    expect(summary).toMatchObject({ failovers: 1, earlyTakeovers: 1, missed: 2 });
  });

  it('adds up to the window: led + leaderless + unknown', () => {
    const summary = summarizeLeaseWindow({
      ...base,
      transitions: [t({ at: 200, kind: 'acquired', cause: 'expiry', fromHolder: 'a_1', toHolder: 'b_2', leaderlessMs: 80 }), t({ at: 600, kind: 'expired', fromHolder: 'b_2' })],
      gaps: [{ startedAt: 650, endedAt: 700, reason: 'watch_lost' }],
    });
    expect(summary.ledMs + summary.leaderlessMs + summary.unknownMs).toBe(summary.windowMs);
  });
});
