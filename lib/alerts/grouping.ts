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
