import { describe, expect, it } from 'vitest';
import { expandTransitions, flappingCondition, flappingIntervals, leaderlessCondition, renewLatencyCondition, staleCondition } from '../../../lib/alerts/conditions';
import { advanceAlert } from '../../../lib/alerts/lifecycle';
import { mergeIntervals } from '../../../lib/alerts/preview';
import type { AlertSnapshot } from '../../../lib/alerts/types';
import { lease, s } from './factory';

const flaps = (...seconds: number[]) => ({ subject: lease(), transitions: seconds.map((at) => ({ at: s(at), weight: 1 })) });
const params = { transitions: 3, windowSeconds: 60 };

describe('flapping: at least N changes of leader within W', () => {
  it('is clear below the threshold and active at it', () => {
    expect(flappingCondition(flaps(0, 10), params, s(20)).isActive).toBe(false);
    const condition = flappingCondition(flaps(0, 10, 20), params, s(20));
    expect(condition).toMatchObject({ isActive: true, value: 3 });
    expect(condition.summary).toBe('3 changes of leader in the last 60 s (threshold 3)');
  });

  it('counts only changes inside the window, whose start is exclusive', () => {
    expect(flappingCondition(flaps(0, 10, 20), params, s(59.999)).isActive).toBe(true);
    expect(flappingCondition(flaps(0, 10, 20), params, s(60)).isActive).toBe(false);
    expect(flappingCondition(flaps(0, 10, 20, 65), params, s(65)).isActive).toBe(true);
  });

  it('says when it will clear if nothing more happens: when the oldest of the newest N leaves the window', () => {
    expect(flappingCondition(flaps(0, 10, 20, 30), params, s(30)).changesAt).toBe(s(70));
  });

  it('counts changes we never saw by their weight', () => {
    const condition = flappingCondition({ subject: lease(), transitions: [{ at: s(5), weight: 2 }, { at: s(9), weight: 1 }] }, params, s(10));
    expect(condition).toMatchObject({ isActive: true, value: 3 });
    expect(expandTransitions([{ at: s(5), weight: 0 }, { at: s(1), weight: 2 }], 3)).toEqual([s(1), s(1)]);
  });

  it('keeps memory bounded when a missed count is huge (a Lease field anyone writes), yet counts it all', () => {
    const huge = { subject: lease(), transitions: [{ at: s(5), weight: 1e9 }, { at: s(9), weight: 1 }] };
    expect(expandTransitions(huge.transitions, params.transitions)).toEqual([s(5), s(5), s(5), s(9)]);
    const condition = flappingCondition(huge, params, s(10));
    expect(condition).toMatchObject({ isActive: true, value: 1e9 + 1, since: s(5), changesAt: s(65) });
    expect(flappingCondition(huge, params, s(70))).toMatchObject({ isActive: false, value: 0, endedAt: s(65) });
  });

  it('gives the same intervals with the cap as with every copy expanded', () => {
    const rows = [{ at: s(0), weight: 5 }, { at: s(20), weight: 1 }, { at: s(30), weight: 4 }, { at: s(100), weight: 2 }];
    const everyCopy = rows.flatMap((row) => Array.from({ length: row.weight }, () => row.at));
    expect(mergeIntervals(flappingIntervals(expandTransitions(rows, 3), params))).toEqual(mergeIntervals(flappingIntervals(everyCopy, params)));
  });

  it('reports when it last stopped holding, so the quiet period counts from there', () => {
    const condition = flappingCondition(flaps(0, 10, 20), params, s(75));
    expect(condition).toMatchObject({ isActive: false, value: 1, endedAt: s(60) });
  });

  it('describes its history as intervals from the N-th change to the window emptying', () => {
    expect(flappingIntervals([s(0), s(10), s(20), s(30)], params)).toEqual([
      { start: s(20), end: s(60) },
      { start: s(30), end: s(70) },
    ]);
    expect(flappingIntervals([s(0), s(61)], { transitions: 2, windowSeconds: 60 })).toEqual([]);
    expect(flappingIntervals([s(0)], { transitions: 1, windowSeconds: 60 })).toEqual([{ start: s(0), end: s(60) }]);
  });
});

describe('leaderless: no valid holder for at least S', () => {
  const facts = (leaderlessSince: number | null, extra: Partial<{ heldSince: number; lastLeaderlessMs: number; heldBy: string }> = {}) => ({
    subject: lease(),
    leaderlessSince,
    heldSince: extra.heldSince ?? null,
    lastLeaderlessMs: extra.lastLeaderlessMs ?? null,
    heldBy: extra.heldBy ?? null,
  });

  it('is clear while someone holds the lease', () => {
    expect(leaderlessCondition(facts(null), { seconds: 30 }, s(100)).isActive).toBe(false);
  });

  it('ends exactly at the acquisition even when its leaderless time is unknown (first holder, a holder renewing again)', () => {
    const condition = leaderlessCondition(facts(null, { heldSince: s(47), heldBy: 'pod-b' }), { seconds: 30 }, s(60));
    expect(condition).toMatchObject({ isActive: false, endedAt: s(47), endedBy: 'pod-b acquired the lease' });
    const firing: AlertSnapshot = { state: 'firing', startedAt: s(30), firingAt: s(30), resolvedAt: null, lastActiveAt: s(45), value: 45, summary: '', silencedUntil: null, conditionSince: s(0), conditionEndedAt: null, endedBy: null };
    expect(advanceAlert(firing, condition, { forMs: 0, quietMs: 0 }, s(60)).snapshot).toMatchObject({ state: 'resolved', conditionEndedAt: s(47) });
  });

  it('becomes active once the lease was leaderless for S, and says when that will be', () => {
    const early = leaderlessCondition(facts(s(0)), { seconds: 30 }, s(29));
    expect(early).toMatchObject({ isActive: false, changesAt: s(30) });
    const due = leaderlessCondition(facts(s(0)), { seconds: 30 }, s(30));
    expect(due).toMatchObject({ isActive: true, value: 30 });
    expect(due.summary).toMatch(/^no valid holder for 30 s/);
  });

  it('with S = 0 fires the moment the holder is gone', () => {
    expect(leaderlessCondition(facts(s(0)), { seconds: 0 }, s(0)).isActive).toBe(true);
  });

  it('dates the condition from the facts, not from the tick that noticed it', () => {
    expect(leaderlessCondition(facts(s(0)), { seconds: 30 }, s(35)).since).toBe(s(0));
    expect(flappingCondition(flaps(0, 10, 20, 30), params, s(33)).since).toBe(s(20));
  });

  it('says what ended a leaderless period, with its exact length', () => {
    const ended = leaderlessCondition(facts(null, { heldSince: s(50), lastLeaderlessMs: 40_000, heldBy: 'pod-b' }), { seconds: 30 }, s(55));
    expect(ended).toMatchObject({ isActive: false, endedAt: s(50), endedBy: 'pod-b acquired the lease after 40 s without a holder' });
  });

  it('reports the acquisition that ended a long enough leaderless period', () => {
    expect(leaderlessCondition(facts(null, { heldSince: s(50), lastLeaderlessMs: 40_000 }), { seconds: 30 }, s(60)).endedAt).toBe(s(50));
    expect(leaderlessCondition(facts(null, { heldSince: s(50), lastLeaderlessMs: 5_000 }), { seconds: 30 }, s(60)).endedAt).toBeNull();
  });
});

describe('renew latency: p95 of renew intervals above X % of the lease duration', () => {
  const params = { windowSeconds: 600, percentOfLeaseDuration: 50, minSamples: 5 };
  const facts = (p95Ms: number | null, samples = 100, leaseDurationSeconds: number | null = 15) => ({ subject: lease(), p95Ms, samples, leaseDurationSeconds });

  it('compares p95 with the lease duration', () => {
    expect(renewLatencyCondition(facts(7_500), params)).toMatchObject({ isActive: false, value: 50 });
    const active = renewLatencyCondition(facts(9_000), params);
    expect(active).toMatchObject({ isActive: true, value: 60 });
    expect(active.summary).toMatch(/p95 9 s is 60 % of the 15 s lease duration/);
  });

  it('does not judge on too few samples, an unknown duration or no intervals', () => {
    expect(renewLatencyCondition(facts(14_000, 4), params).isActive).toBe(false);
    expect(renewLatencyCondition(facts(14_000, 100, null), params).isActive).toBe(false);
    expect(renewLatencyCondition(facts(null), params).isActive).toBe(false);
  });
});

describe('stale data: a cluster not observed for S', () => {
  const cluster = { cluster: 'prod-eu', namespace: null, name: null };

  it('is active once the last observation is S old', () => {
    expect(staleCondition({ subject: cluster, lastSeenAt: s(0), addedAt: s(-100) }, { seconds: 60 }, s(59))).toMatchObject({ isActive: false, changesAt: s(60) });
    expect(staleCondition({ subject: cluster, lastSeenAt: s(0), addedAt: s(-100) }, { seconds: 60 }, s(60))).toMatchObject({ isActive: true, value: 60 });
  });

  it('counts a cluster never observed from when it was added', () => {
    const condition = staleCondition({ subject: cluster, lastSeenAt: null, addedAt: s(0) }, { seconds: 60 }, s(90));
    expect(condition.isActive).toBe(true);
    expect(condition.summary).toMatch(/^never observed/);
  });
});
