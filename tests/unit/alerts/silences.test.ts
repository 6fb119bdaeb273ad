import { describe, expect, it } from 'vitest';
import { evaluateRule } from '../../../lib/alerts/evaluate';
import { findCoveringSilence, matchesSilence, nextSilenceBoundary, silenceStateOf, type MatcherSilence } from '../../../lib/alerts/silences';
import { active, flappingRule, lease, s, snapshot } from './factory';

const everything = { cluster: '*', namespace: '*', lease: '*', rule: '*' };

function silence(overrides: Partial<MatcherSilence> = {}): MatcherSilence {
  return { id: 7, matchers: everything, startsAt: s(0), endsAt: s(3_600), expiredAt: null, comment: 'node upgrades', createdBy: 'alice', ...overrides };
}

describe('matcher silences', () => {
  it('match globs on cluster, namespace, lease and rule name', () => {
    const matchers = { cluster: 'prod-*', namespace: 'kube-system', lease: 'kube-*', rule: 'Leader*' };
    expect(matchesSilence(matchers, 'Leaderless 30s', lease('kube-scheduler', 'prod-eu'))).toBe(true);
    expect(matchesSilence(matchers, 'Flapping', lease('kube-scheduler', 'prod-eu'))).toBe(false);
    expect(matchesSilence(matchers, 'Leaderless 30s', lease('kube-scheduler', 'staging'))).toBe(false);
    expect(matchesSilence(matchers, 'Leaderless 30s', lease('my-operator', 'prod-eu'))).toBe(false);
    expect(matchesSilence(matchers, 'Leaderless 30s', lease('kube-scheduler', 'prod-eu', 'default'))).toBe(false);
  });

  it('match a cluster-wide subject only when namespace and lease are *', () => {
    const cluster = { cluster: 'prod-eu', namespace: null, name: null };
    expect(matchesSilence({ ...everything, cluster: 'prod-*' }, 'Stale', cluster)).toBe(true);
    expect(matchesSilence({ ...everything, namespace: 'kube-system' }, 'Stale', cluster)).toBe(false);
  });

  it('are pending before startsAt, active until endsAt or until expired early', () => {
    expect(silenceStateOf(silence({ startsAt: s(100) }), s(99))).toBe('pending');
    expect(silenceStateOf(silence(), s(0))).toBe('active');
    expect(silenceStateOf(silence(), s(3_600))).toBe('expired');
    expect(silenceStateOf(silence({ expiredAt: s(60) }), s(60))).toBe('expired');
  });

  it('pick the covering silence that lasts longest, and the next start or end as a moment to look again', () => {
    const silences = [silence({ id: 1, endsAt: s(100) }), silence({ id: 2, endsAt: s(500) }), silence({ id: 3, startsAt: s(200), endsAt: s(900) })];
    expect(findCoveringSilence(silences, 'r', lease(), s(50))).toMatchObject({ until: s(500), silence: { id: 2 } });
    expect(nextSilenceBoundary(silences, s(50))).toBe(s(100));
  });
});

describe('evaluateRule with matcher silences', () => {
  it('holds back the firing notification of an alert raised after the silence was set up, and notes who silenced it', () => {
    const result = evaluateRule({ rule: flappingRule(), conditions: [active()], openAlerts: [], silences: new Map(), matcherSilences: [silence({ startsAt: s(-60) })], now: s(10) });
    expect(result.outcomes).toHaveLength(1);
    expect(result.outcomes[0]).toMatchObject({ notify: null, silencedBy: 7, snapshot: { state: 'firing' } });
    expect(result.outcomes[0]?.changes[0]?.note).toMatch(/^silenced by silence #7 of alice until .*: node upgrades$/);
  });

  it('notifies once the silence has ended, and wakes the engine at that moment', () => {
    const open = [{ id: '1', subjectKey: 'prod-eu/kube-system/kube-scheduler', snapshot: snapshot() }];
    const during = evaluateRule({ rule: flappingRule(), conditions: [active()], openAlerts: open, silences: new Map(), matcherSilences: [silence()], now: s(10) });
    expect(during.outcomes[0]?.notify).toBeNull();
    expect(during.nextEvaluationAt).toBe(s(3_600));
    const after = evaluateRule({ rule: flappingRule(), conditions: [active()], openAlerts: open, silences: new Map(), matcherSilences: [silence()], now: s(3_600) });
    expect(after.outcomes[0]?.notify).toBe('firing');
  });

  it('leaves alerts of other rules and subjects alone', () => {
    const other = silence({ matchers: { ...everything, cluster: 'staging' } });
    const result = evaluateRule({ rule: flappingRule(), conditions: [active()], openAlerts: [], silences: new Map(), matcherSilences: [other], now: s(10) });
    expect(result.outcomes[0]).toMatchObject({ notify: 'firing', silencedBy: null });
  });
});
