import {
  flappingCondition,
  heartbeatGapConditions,
  type HeartbeatFacts,
  leaderlessCondition,
  renewLatencyCondition,
  sloBurnCondition,
  staleCondition,
  type FlappingFacts,
  type SloBurnFacts,
  type LeaderlessFacts,
  type RenewLatencyFacts,
  type StaleFacts,
} from './conditions';
import { advanceAlert, isSilenced, nextLifecycleDeadline, type AlertTiming, type ConditionReading } from './lifecycle';
import { isInScope, parseSubjectKey, subjectKeyOf } from './patterns';
import { findCoveringSilence, nextSilenceBoundary, type MatcherSilence } from './silences';
import type { AlertRuleSpec, AlertSnapshot, Condition, NotificationEvent, RuleDefinition, StateChange, Subject } from './types';

// silencedBy: the matcher silence that covered it at its last evaluation.
export type OpenAlert = { id: string; subjectKey: string; snapshot: AlertSnapshot; silencedBy?: number | null };

export type RuleInput = {
  rule: AlertRuleSpec;
  // Conditions for every candidate subject; the rule's scope is applied here.
  conditions: readonly Condition[];
  openAlerts: readonly OpenAlert[];
  // Silences still running on earlier alerts of a subject carry over to a new alert of it.
  silences: ReadonlyMap<string, number>;
  // Silences by matcher (cluster, namespace, lease, rule globs): they also cover alerts not raised yet.
  matcherSilences?: readonly MatcherSilence[];
  now: number;
};

export type AlertOutcome = {
  alertId: string | null;
  subjectKey: string;
  subject: Subject;
  snapshot: AlertSnapshot;
  changes: StateChange[];
  // `firing`: make sure every channel of the rule has (or gets) the firing notification of this alert;
  // `resolved`: send the recovery to every channel that got the firing one.
  notify: NotificationEvent | null;
  // The matcher silence that holds back this alert's notification now, if any.
  silencedBy: number | null;
};

export type RuleEvaluation = { outcomes: AlertOutcome[]; nextEvaluationAt: number | null };

export function timingOf(rule: Pick<AlertRuleSpec, 'forSeconds' | 'quietSeconds'>): AlertTiming {
  return { forMs: rule.forSeconds * 1_000, quietMs: rule.quietSeconds * 1_000 };
}

function notificationFor(snapshot: AlertSnapshot, changes: readonly StateChange[], now: number, isMatcherSilenced = false): NotificationEvent | null {
  if (changes.some((change) => change.from === 'firing' && change.to === 'resolved')) return 'resolved';
  if (snapshot.state === 'firing' && !isSilenced(snapshot, now) && !isMatcherSilenced) return 'firing';
  return null;
}

const earliest = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.min(a, b));

// Pure: given the rule, what its condition says about each subject now, and the alerts open in
// PostgreSQL, decide every alert's next state and what to notify. The engine persists the result.
export function evaluateRule({ rule, conditions, openAlerts, silences, matcherSilences = [], now }: RuleInput): RuleEvaluation {
  const timing = timingOf(rule);
  const outcomes: AlertOutcome[] = [];
  let nextEvaluationAt: number | null = null;
  const coverOf = (subject: Subject) => findCoveringSilence(matcherSilences, rule.name, subject, now);

  if (!rule.enabled) {
    for (const alert of openAlerts) {
      const changes: StateChange[] = [{ from: alert.snapshot.state, to: 'resolved', at: now, note: 'rule disabled' }];
      const snapshot: AlertSnapshot = { ...alert.snapshot, state: 'resolved', resolvedAt: now };
      outcomes.push({ alertId: alert.id, subjectKey: alert.subjectKey, subject: parseSubjectKey(alert.subjectKey, rule.kind), snapshot, changes, notify: notificationFor(snapshot, changes, now), silencedBy: null });
    }
    return { outcomes, nextEvaluationAt: null };
  }

  const inScope = new Map<string, Condition>();
  for (const condition of conditions) {
    // An slo_burn subject is an SLO's scope (globs), which the SLO selects, not the rule's patterns.
    if (rule.kind === 'slo_burn' || isInScope(rule, condition.subject)) inScope.set(subjectKeyOf(condition.subject), condition);
  }

  const handled = new Set<string>();
  for (const alert of openAlerts) {
    handled.add(alert.subjectKey);
    const condition = inScope.get(alert.subjectKey);
    // A subject that left the scope or disappeared (lease deleted, rule narrowed) counts as clear.
    const reading: ConditionReading = condition ?? { isActive: false, value: alert.snapshot.value, summary: alert.snapshot.summary, endedAt: null };
    const { snapshot, changes } = advanceAlert(alert.snapshot, reading, timing, now);
    if (!snapshot) continue;
    const subject = condition?.subject ?? parseSubjectKey(alert.subjectKey, rule.kind);
    const cover = coverOf(subject);
    outcomes.push({ alertId: alert.id, subjectKey: alert.subjectKey, subject, snapshot, changes, notify: notificationFor(snapshot, changes, now, cover !== null), silencedBy: cover?.silence.id ?? null });
    if (snapshot.state !== 'resolved') nextEvaluationAt = earliest(nextEvaluationAt, nextLifecycleDeadline(snapshot, reading.isActive, timing, now));
  }

  for (const [subjectKey, condition] of inScope) {
    if (condition.changesAt !== null && condition.changesAt > now) nextEvaluationAt = earliest(nextEvaluationAt, condition.changesAt);
    if (handled.has(subjectKey) || !condition.isActive) continue;
    const advanced = advanceAlert(null, condition, timing, now);
    if (!advanced.snapshot) continue;
    const silencedUntil = silences.get(subjectKey);
    const snapshot = silencedUntil !== undefined && silencedUntil > now ? { ...advanced.snapshot, silencedUntil } : advanced.snapshot;
    const cover = coverOf(condition.subject);
    const changes = cover
      ? advanced.changes.map((change) => ({ ...change, note: `silenced by silence #${cover.silence.id} of ${cover.silence.createdBy} until ${new Date(cover.until).toISOString()}: ${cover.silence.comment}` }))
      : advanced.changes;
    outcomes.push({ alertId: null, subjectKey, subject: condition.subject, snapshot, changes, notify: notificationFor(snapshot, changes, now, cover !== null), silencedBy: cover?.silence.id ?? null });
    nextEvaluationAt = earliest(nextEvaluationAt, nextLifecycleDeadline(snapshot, true, timing, now));
  }

  if (outcomes.length > 0) nextEvaluationAt = earliest(nextEvaluationAt, nextSilenceBoundary(matcherSilences, now));
  return { outcomes, nextEvaluationAt };
}

export type FactSet = {
  flapping?: readonly FlappingFacts[];
  leaderless?: readonly LeaderlessFacts[];
  // Renewal statistics per window length, one query per distinct window of the rules.
  renewLatency?: ReadonlyMap<number, readonly RenewLatencyFacts[]>;
  stale?: readonly StaleFacts[];
  // Node heartbeat facts per window length.
  heartbeat?: ReadonlyMap<number, readonly HeartbeatFacts[]>;
  // Per SLO id: every lease in its scope with its time over each burn window.
  sloBurn?: ReadonlyMap<number, readonly SloBurnFacts[]>;
};

export function buildConditions(definition: RuleDefinition, facts: FactSet, now: number): Condition[] {
  switch (definition.kind) {
    case 'flapping':
      return (facts.flapping ?? []).map((fact) => flappingCondition(fact, definition.params, now));
    case 'leaderless':
      return (facts.leaderless ?? []).map((fact) => leaderlessCondition(fact, definition.params, now));
    case 'renew_latency':
      return (facts.renewLatency?.get(definition.params.windowSeconds) ?? []).map((fact) => renewLatencyCondition(fact, definition.params));
    case 'stale_data':
      return (facts.stale ?? []).map((fact) => staleCondition(fact, definition.params, now));
    case 'heartbeat_gap':
      return heartbeatGapConditions(facts.heartbeat?.get(definition.params.windowSeconds) ?? [], definition.params, now);
    case 'slo_burn':
      return (facts.sloBurn?.get(definition.params.sloId) ?? []).map((fact) => sloBurnCondition(fact));
  }
}
