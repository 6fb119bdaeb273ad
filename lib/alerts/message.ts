import type { AlertMessage, MessageEvent } from './notifiers/types';
import { describeRule, parseRuleDefinition } from './params';
import { parseSubjectKey } from './patterns';
import type { AlertState, RuleKind } from './types';

export type AlertFacts = {
  id: bigint | string;
  state: AlertState;
  subjectKey: string;
  summary: string;
  value: number | null;
  startedAt: Date;
  firingAt: Date | null;
  resolvedAt: Date | null;
  rule: { id: number; name: string; kind: RuleKind; params: unknown; forSeconds: number; quietSeconds: number };
};

function describeStoredRule(kind: RuleKind, params: unknown): string {
  try {
    return describeRule(parseRuleDefinition(kind, params));
  } catch {
    return kind.replace('_', ' ');
  }
}

export function buildAlertMessage(alert: AlertFacts, event: MessageEvent, deliveryId: string, now: number): AlertMessage {
  return {
    event,
    deliveryId,
    sentAt: new Date(now).toISOString(),
    alert: {
      id: alert.id.toString(),
      state: alert.state,
      subject: parseSubjectKey(alert.subjectKey, alert.rule.kind),
      subjectKey: alert.subjectKey,
      summary: alert.summary,
      value: alert.value,
      startedAt: alert.startedAt.toISOString(),
      firingAt: alert.firingAt?.toISOString() ?? null,
      resolvedAt: alert.resolvedAt?.toISOString() ?? null,
    },
    rule: {
      id: alert.rule.id,
      name: alert.rule.name,
      kind: alert.rule.kind,
      description: describeStoredRule(alert.rule.kind, alert.rule.params),
      forSeconds: alert.rule.forSeconds,
      quietSeconds: alert.rule.quietSeconds,
    },
  };
}

// A test is shaped like a real alert so receivers can check their parsing with it.
export function buildTestMessage(channelName: string, deliveryId: string, now: number): AlertMessage {
  const at = new Date(now).toISOString();
  return {
    event: 'test',
    deliveryId,
    sentAt: at,
    alert: {
      id: '0',
      state: 'firing',
      subject: { cluster: 'example-cluster', namespace: 'kube-system', name: 'kube-scheduler' },
      subjectKey: 'example-cluster/kube-system/kube-scheduler',
      summary: `Test notification from Leasetrail to channel "${channelName}": this channel works.`,
      value: null,
      startedAt: at,
      firingAt: at,
      resolvedAt: null,
    },
    rule: { id: 0, name: 'Leasetrail test', kind: 'flapping', description: 'a test notification, not a real alert', forSeconds: 0, quietSeconds: 0 },
  };
}
