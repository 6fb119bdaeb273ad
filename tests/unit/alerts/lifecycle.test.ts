import { describe, expect, it } from 'vitest';
import { advanceAlert, isSilenced, nextLifecycleDeadline } from '../../../lib/alerts/lifecycle';
import { s, snapshot, t0 } from './factory';

const on = { isActive: true, value: 4, summary: 'on', endedAt: null };
const off = { isActive: false, value: 1, summary: 'off', endedAt: null };
const noFor = { forMs: 0, quietMs: 30_000 };
const withFor = { forMs: 20_000, quietMs: 30_000 };

describe('advanceAlert', () => {
  it('opens nothing while the condition is clear', () => {
    expect(advanceAlert(null, off, noFor, t0)).toEqual({ snapshot: null, changes: [] });
  });

  it('fires at once without a for duration', () => {
    const { snapshot: next, changes } = advanceAlert(null, on, noFor, t0);
    expect(next).toMatchObject({ state: 'firing', startedAt: t0, firingAt: t0, lastActiveAt: t0, value: 4, summary: 'on' });
    expect(changes).toEqual([{ from: null, to: 'firing', at: t0, note: null }]);
  });

  it('waits in pending until the condition held for the for duration', () => {
    const opened = advanceAlert(null, on, withFor, t0).snapshot!;
    expect(opened.state).toBe('pending');
    const early = advanceAlert(opened, on, withFor, s(19.999));
    expect(early.snapshot?.state).toBe('pending');
    expect(early.changes).toEqual([]);
    const due = advanceAlert(early.snapshot, on, withFor, s(20));
    expect(due.snapshot).toMatchObject({ state: 'firing', firingAt: s(20), startedAt: t0 });
    expect(due.changes).toEqual([{ from: 'pending', to: 'firing', at: s(20), note: 'condition held for 20 s' }]);
  });

  it('drops a pending alert whose condition clears before for elapsed, without ever firing', () => {
    const opened = advanceAlert(null, on, withFor, t0).snapshot!;
    const cleared = advanceAlert(opened, off, withFor, s(10));
    expect(cleared.snapshot).toMatchObject({ state: 'resolved', firingAt: null, resolvedAt: s(10) });
    expect(cleared.changes[0]).toMatchObject({ from: 'pending', to: 'resolved' });
    expect(cleared.changes[0]?.note).toMatch(/never fired/);
  });

  it('stays firing through the quiet period and resolves when it has passed', () => {
    const firing = snapshot({ lastActiveAt: s(10) });
    const quiet = advanceAlert(firing, off, noFor, s(39.999));
    expect(quiet.snapshot?.state).toBe('firing');
    expect(quiet.changes).toEqual([]);
    const resolved = advanceAlert(quiet.snapshot, off, noFor, s(40));
    expect(resolved.snapshot).toMatchObject({ state: 'resolved', resolvedAt: s(40), lastActiveAt: s(10) });
    expect(resolved.changes).toEqual([{ from: 'firing', to: 'resolved', at: s(40), note: 'condition held for 10 s, then clear for the 30 s quiet period' }]);
  });

  it('keeps the condition span apart from the alert span: a 10 s leaderless period is not a 5 min alert', () => {
    const leaderless = { forMs: 0, quietMs: 0 };
    // Noticed at a tick 3 s after the holder was gone; the facts say it started at 0.
    const opened = advanceAlert(null, { isActive: true, value: 3, summary: 'no valid holder for 3 s', endedAt: null, since: t0 }, leaderless, s(3)).snapshot!;
    expect(opened).toMatchObject({ state: 'firing', startedAt: s(3), conditionSince: t0, conditionEndedAt: null });
    // The next tick sees a holder again: it acquired at 10 s.
    const ended = advanceAlert(opened, { isActive: false, value: 0, summary: 'a holder renews the lease', endedAt: s(10), endedBy: 'pod-b acquired the lease after 10 s without a holder' }, leaderless, s(13));
    expect(ended.snapshot).toMatchObject({ state: 'resolved', resolvedAt: s(13), conditionSince: t0, conditionEndedAt: s(10), endedBy: 'pod-b acquired the lease after 10 s without a holder' });
    expect(ended.changes[0]?.note).toBe('condition held for 10 s; ended by: pod-b acquired the lease after 10 s without a holder');
  });

  it('is recovering during the quiet period: the condition has ended, the alert has not', () => {
    const firing = snapshot({ lastActiveAt: s(5), conditionSince: t0 });
    const recovering = advanceAlert(firing, { ...off, endedAt: s(8), endedBy: 'pod-b acquired the lease' }, noFor, s(20)).snapshot!;
    expect(recovering).toMatchObject({ state: 'firing', lastActiveAt: s(8), conditionEndedAt: s(8), endedBy: 'pod-b acquired the lease' });
    const back = advanceAlert(recovering, on, noFor, s(25)).snapshot!;
    expect(back).toMatchObject({ state: 'firing', conditionEndedAt: null, endedBy: null, lastActiveAt: s(25) });
  });

  it('restarts the quiet period when the condition comes back: one alert, not one per flap', () => {
    let current = snapshot();
    for (let second = 0; second < 300; second += 20) {
      const reading = second % 40 === 0 ? on : off;
      const step = advanceAlert(current, reading, noFor, s(second));
      expect(step.changes).toEqual([]);
      current = step.snapshot!;
    }
    expect(current.state).toBe('firing');
  });

  it('counts the quiet period from when the condition ended, when the condition knows it', () => {
    const firing = snapshot({ lastActiveAt: s(5) });
    const step = advanceAlert(firing, { ...off, endedAt: s(25) }, noFor, s(50));
    expect(step.snapshot).toMatchObject({ state: 'firing', lastActiveAt: s(25) });
    expect(advanceAlert(step.snapshot, off, noFor, s(55)).snapshot?.state).toBe('resolved');
  });

  it('never moves lastActiveAt back or past now', () => {
    const firing = snapshot({ lastActiveAt: s(30) });
    expect(advanceAlert(firing, { ...off, endedAt: s(10) }, noFor, s(40)).snapshot?.lastActiveAt).toBe(s(30));
    expect(advanceAlert(firing, { ...off, endedAt: s(90) }, noFor, s(40)).snapshot?.lastActiveAt).toBe(s(40));
  });

  it('resolves at once with no quiet period', () => {
    expect(advanceAlert(snapshot(), off, { forMs: 0, quietMs: 0 }, s(1)).snapshot?.state).toBe('resolved');
  });

  it('opens a new alert after a resolved one when the condition returns', () => {
    const resolved = snapshot({ state: 'resolved', resolvedAt: s(50) });
    const reopened = advanceAlert(resolved, on, noFor, s(60));
    expect(reopened.snapshot).toMatchObject({ state: 'firing', startedAt: s(60), resolvedAt: null });
  });
});

describe('silences and deadlines', () => {
  it('is silenced strictly before the until time', () => {
    expect(isSilenced({ silencedUntil: s(10) }, s(9.999))).toBe(true);
    expect(isSilenced({ silencedUntil: s(10) }, s(10))).toBe(false);
    expect(isSilenced({ silencedUntil: null }, t0)).toBe(false);
  });

  it('keeps a silence across state changes', () => {
    const silenced = snapshot({ silencedUntil: s(100), lastActiveAt: t0 });
    expect(advanceAlert(silenced, off, noFor, s(30)).snapshot?.silencedUntil).toBe(s(100));
  });

  it('asks to be woken when for elapses, the quiet period ends, or a silence runs out', () => {
    expect(nextLifecycleDeadline(snapshot({ state: 'pending', firingAt: null }), true, withFor, s(5))).toBe(s(20));
    expect(nextLifecycleDeadline(snapshot({ lastActiveAt: s(10) }), false, noFor, s(15))).toBe(s(40));
    expect(nextLifecycleDeadline(snapshot(), true, noFor, s(15))).toBeNull();
    expect(nextLifecycleDeadline(snapshot({ silencedUntil: s(70) }), true, noFor, s(15))).toBe(s(70));
    expect(nextLifecycleDeadline(snapshot({ silencedUntil: s(70), lastActiveAt: s(10) }), false, noFor, s(15))).toBe(s(40));
  });
});
