import type { AlertRuleSpec, AlertSnapshot, Condition, Subject } from '../../../lib/alerts/types';

export const t0 = Date.parse('2026-11-24T10:00:00Z');
export const s = (seconds: number) => t0 + seconds * 1_000;

export const lease = (name = 'kube-scheduler', cluster = 'prod-eu', namespace = 'kube-system'): Subject => ({ cluster, namespace, name });

export function flappingRule(overrides: Partial<AlertRuleSpec> = {}): AlertRuleSpec {
  return {
    id: 1,
    name: 'flapping',
    enabled: true,
    kind: 'flapping',
    params: { transitions: 3, windowSeconds: 60 },
    clusterPattern: '*',
    namespacePattern: '*',
    namePattern: '*',
    excludePatterns: [],
    forSeconds: 0,
    quietSeconds: 30,
    ...overrides,
  } as AlertRuleSpec;
}

export function active(subject: Subject = lease(), overrides: Partial<Condition> = {}): Condition {
  return { subject, isActive: true, value: 3, summary: 'active', changesAt: null, endedAt: null, since: null, endedBy: null, ...overrides };
}

export function clear(subject: Subject = lease(), overrides: Partial<Condition> = {}): Condition {
  return { subject, isActive: false, value: 0, summary: 'clear', changesAt: null, endedAt: null, since: null, endedBy: null, ...overrides };
}

export function snapshot(overrides: Partial<AlertSnapshot> = {}): AlertSnapshot {
  return { state: 'firing', startedAt: t0, firingAt: t0, resolvedAt: null, lastActiveAt: t0, value: 3, summary: 'active', silencedUntil: null, conditionSince: t0, conditionEndedAt: null, endedBy: null, ...overrides };
}
