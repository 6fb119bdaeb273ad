import { parseSubjectKey } from './patterns';
import type { RuleKind } from './types';

// Alertmanager's group_by, for our own channels: notifications of one rule whose subjects agree on
// these parts go out as one message listing every member. The rule is always part of the key.
export const groupByParts = ['cluster', 'namespace', 'lease'] as const;

export type GroupByPart = (typeof groupByParts)[number];

export const defaultGroupBy: readonly GroupByPart[] = ['cluster'];

// Past this many members a group is split: a message nobody can read helps nobody.
export const MAX_GROUP_MEMBERS = 100;

export function groupLabelsOf(subjectKey: string, kind: RuleKind, groupBy: readonly string[]): Record<string, string> {
  const subject = parseSubjectKey(subjectKey, kind);
  const values: Record<GroupByPart, string | null> = { cluster: subject.cluster, namespace: subject.namespace, lease: subject.name };
  const labels: Record<string, string> = {};
  for (const part of groupByParts) if (groupBy.includes(part)) labels[part] = values[part] ?? '';
  return labels;
}

export function groupKeyOf(ruleId: number, subjectKey: string, kind: RuleKind, groupBy: readonly string[]): string {
  return JSON.stringify([ruleId, groupLabelsOf(subjectKey, kind, groupBy)]);
}

// Alertmanager's three timers, per rule: group_wait before a new group's first message, group_interval
// between messages about one group's changes (new members, resolutions), repeat_interval before a group
// with nothing new is sent again. 0 for the last two: changes go at once, no reminders.
export type GroupTiming = { groupWaitMs: number; groupIntervalMs: number; repeatIntervalMs: number };

export const defaultGroupTiming = { groupWaitSeconds: 10, groupIntervalSeconds: 300, repeatIntervalSeconds: 4 * 3_600 } as const;

// When a notification queued at `now` may go out: a group never sent (lastSentAt null) waits group_wait;
// a group already sent waits until group_interval after its last message, never less than now.
export function groupSendAt(lastSentAt: number | null, timing: GroupTiming, now: number): number {
  if (lastSentAt === null) return now + timing.groupWaitMs;
  return Math.max(now, lastSentAt + timing.groupIntervalMs);
}

// When a group whose last message went out at lastSentAt is due a reminder of what still fires; null: never.
export function groupRepeatAt(lastSentAt: number, timing: GroupTiming): number | null {
  return timing.repeatIntervalMs > 0 ? lastSentAt + Math.max(timing.repeatIntervalMs, timing.groupIntervalMs) : null;
}
