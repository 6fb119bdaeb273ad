import { describe, expect, it } from 'vitest';
import { buildConditions, evaluateRule, type OpenAlert } from '../../../lib/alerts/evaluate';
import type { AlertRuleSpec, Condition } from '../../../lib/alerts/types';
import { active, clear, flappingRule, lease, s, snapshot, t0 } from './factory';

const key = 'prod-eu/kube-system/kube-scheduler';
const noSilences = new Map<string, number>();

function run(rule: AlertRuleSpec, conditions: Condition[], openAlerts: OpenAlert[] = [], now = t0, silences = noSilences) {
  return evaluateRule({ rule, conditions, openAlerts, silences, now });
}

describe('evaluateRule', () => {
  it('opens a firing alert for an active subject and asks for its firing notification', () => {
    const { outcomes } = run(flappingRule(), [active(), clear(lease('kube-controller-manager'))]);
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ alertId: null, subjectKey: key, notify: 'firing', snapshot: { state: 'firing' } });
  });

  it('opens a pending alert with a for duration, notifies nothing yet, and wakes when for elapses', () => {
    const { outcomes, nextEvaluationAt } = run(flappingRule({ forSeconds: 30 }), [active()]);
    expect(outcomes[0]).toMatchObject({ snapshot: { state: 'pending' }, notify: null });
    expect(nextEvaluationAt).toBe(s(30));
  });

  it('keeps asking for the firing notification of a firing alert (the store makes it idempotent)', () => {
    const open: OpenAlert[] = [{ id: '7', subjectKey: key, snapshot: snapshot() }];
    const { outcomes } = run(flappingRule(), [active()], open, s(10));
    expect(outcomes[0]).toMatchObject({ alertId: '7', changes: [], notify: 'firing' });
  });

  it('resolves after the quiet period and asks for the recovery notification', () => {
    const open: OpenAlert[] = [{ id: '7', subjectKey: key, snapshot: snapshot({ lastActiveAt: s(0) }) }];
    const quiet = run(flappingRule({ quietSeconds: 30 }), [clear()], open, s(10));
    expect(quiet.outcomes[0]).toMatchObject({ snapshot: { state: 'firing' }, notify: 'firing' });
    expect(quiet.nextEvaluationAt).toBe(s(30));
    const resolved = run(flappingRule({ quietSeconds: 30 }), [clear()], open, s(30));
    expect(resolved.outcomes[0]).toMatchObject({ snapshot: { state: 'resolved' }, notify: 'resolved' });
  });

  it('does not notify a silenced alert until the silence runs out, and wakes then', () => {
    const open: OpenAlert[] = [{ id: '7', subjectKey: key, snapshot: snapshot({ silencedUntil: s(60) }) }];
    const silenced = run(flappingRule(), [active()], open, s(10));
    expect(silenced.outcomes[0]?.notify).toBeNull();
    expect(silenced.nextEvaluationAt).toBe(s(60));
    expect(run(flappingRule(), [active()], open, s(60)).outcomes[0]?.notify).toBe('firing');
  });

  it('still sends the recovery of a silenced alert, so receivers that got the firing one are not left hanging', () => {
    const open: OpenAlert[] = [{ id: '7', subjectKey: key, snapshot: snapshot({ silencedUntil: s(600) }) }];
    expect(run(flappingRule({ quietSeconds: 0 }), [clear()], open, s(10)).outcomes[0]?.notify).toBe('resolved');
  });

  it('carries a running silence over to a new alert of the same subject', () => {
    const { outcomes } = run(flappingRule(), [active()], [], s(10), new Map([[key, s(100)]]));
    expect(outcomes[0]).toMatchObject({ notify: null, snapshot: { silencedUntil: s(100) } });
    expect(run(flappingRule(), [active()], [], s(10), new Map([[key, s(5)]])).outcomes[0]?.notify).toBe('firing');
  });

  it('applies cluster, namespace and name patterns and exclusions', () => {
    const subjects = [lease('kube-scheduler', 'prod-eu'), lease('kube-scheduler', 'staging'), lease('cert-manager', 'prod-us', 'cert-manager'), lease('kube-scheduler', 'prod-us')];
    const rule = flappingRule({ clusterPattern: 'prod-*', namePattern: 'kube-*', excludePatterns: ['prod-us'] });
    const { outcomes } = run(rule, subjects.map((subject) => active(subject)));
    expect(outcomes.map((outcome) => outcome.subjectKey)).toEqual(['prod-eu/kube-system/kube-scheduler']);
  });

  it('treats an open alert whose subject left the scope or vanished as clear', () => {
    const open: OpenAlert[] = [{ id: '7', subjectKey: key, snapshot: snapshot({ lastActiveAt: s(0) }) }];
    const { outcomes } = run(flappingRule({ quietSeconds: 5, excludePatterns: ['*/kube-system'] }), [active()], open, s(10));
    expect(outcomes[0]).toMatchObject({ alertId: '7', snapshot: { state: 'resolved' }, notify: 'resolved' });
    expect(run(flappingRule({ quietSeconds: 5 }), [], open, s(10)).outcomes[0]?.snapshot.state).toBe('resolved');
  });

  it('resolves every open alert of a disabled rule at once', () => {
    const open: OpenAlert[] = [
      { id: '7', subjectKey: key, snapshot: snapshot() },
      { id: '8', subjectKey: 'prod-eu/kube-system/other', snapshot: snapshot({ state: 'pending', firingAt: null }) },
    ];
    const { outcomes, nextEvaluationAt } = run(flappingRule({ enabled: false }), [active()], open, s(1));
    expect(outcomes.map((o) => [o.alertId, o.snapshot.state, o.notify, o.changes[0]?.note])).toEqual([
      ['7', 'resolved', 'resolved', 'rule disabled'],
      ['8', 'resolved', null, 'rule disabled'],
    ]);
    expect(nextEvaluationAt).toBeNull();
  });

  it('wakes when a condition will change by itself', () => {
    expect(run(flappingRule(), [clear(lease(), { changesAt: s(45) })]).nextEvaluationAt).toBe(s(45));
    expect(run(flappingRule(), [clear(lease(), { changesAt: s(-5) })]).nextEvaluationAt).toBeNull();
  });
});

describe('a flapping lease replayed against the evaluator with an injected clock', () => {
  // The engine's loop without PostgreSQL: facts in, outcomes out, open alerts carried over.
  function replay(flapSeconds: number[], until: number, rule = flappingRule({ params: { transitions: 3, windowSeconds: 60 }, quietSeconds: 30 })) {
    let open: OpenAlert[] = [];
    const history: Array<{ at: number; from: string | null; to: string }> = [];
    const notifications: Array<{ at: number; event: string }> = [];
    let nextId = 1;
    const notified = new Set<string>();
    const moments = new Set<number>();
    for (const at of flapSeconds) moments.add(s(at));
    for (let second = 0; second <= until; second += 1) moments.add(s(second));
    for (const now of [...moments].sort((a, b) => a - b)) {
      const facts = { flapping: [{ subject: lease(), transitions: flapSeconds.filter((at) => s(at) <= now).map((at) => ({ at: s(at), weight: 1 })) }] };
      const { outcomes } = evaluateRule({ rule, conditions: buildConditions(rule, facts, now), openAlerts: open, silences: noSilences, now });
      open = [];
      for (const outcome of outcomes) {
        const id = outcome.alertId ?? String(nextId++);
        for (const change of outcome.changes) history.push({ at: change.at, from: change.from, to: change.to });
        if (outcome.notify && !notified.has(`${id}/${outcome.notify}`)) {
          notified.add(`${id}/${outcome.notify}`);
          notifications.push({ at: now, event: outcome.notify });
        }
        if (outcome.snapshot.state !== 'resolved') open.push({ id, subjectKey: outcome.subjectKey, snapshot: outcome.snapshot });
      }
    }
    return { history, notifications };
  }

  it('raises one alert for fifty flaps, fires at the third and resolves a quiet period after the window empties (258 s + 30 s)', () => {
    const flaps = Array.from({ length: 50 }, (_, i) => 10 + i * 4);
    const { history, notifications } = replay(flaps, 400);
    expect(history).toEqual([
      { at: s(18), from: null, to: 'firing' },
      { at: s(288), from: 'firing', to: 'resolved' },
    ]);
    expect(notifications).toEqual([
      { at: s(18), event: 'firing' },
      { at: s(288), event: 'resolved' },
    ]);
  });

  it('stays quiet below the threshold', () => {
    expect(replay([10, 80, 150, 220], 400).history).toEqual([]);
  });
});
