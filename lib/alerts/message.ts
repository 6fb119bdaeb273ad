import { groupLabelsOf } from './grouping';
import { formatExactMs } from './lifecycle';
import type { AlertMessage, MessageEvent } from './notifiers/types';
import { describeRule, parseRuleDefinition } from './params';
import { describeSubject, parseSubjectKey } from './patterns';
import type { AlertState, RuleKind, Subject } from './types';

export type AlertFacts = {
  id: bigint | string;
  state: AlertState;
  subjectKey: string;
  summary: string;
  value: number | null;
  startedAt: Date;
  firingAt: Date | null;
  resolvedAt: Date | null;
  conditionSince: Date | null;
  conditionEndedAt: Date | null;
  endedBy: string | null;
  rule: { id: number; name: string; kind: RuleKind; params: unknown; forSeconds: number; quietSeconds: number; runbookUrl: string | null; groupBy?: string[] };
};

// Where links point (LEASETRAIL_PUBLIC_URL; none configured: no links) and the zone people read times in.
export type MessageContext = { publicUrl: string | null; timeZone: string };

export const utcContext: MessageContext = { publicUrl: null, timeZone: 'UTC' };

function describeStoredRule(kind: RuleKind, params: unknown): string {
  try {
    return describeRule(parseRuleDefinition(kind, params));
  } catch {
    return kind.replace('_', ' ');
  }
}

export function formatHumanTime(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'short' }).format(at);
}

// The lease page at the moment the condition began (a cluster subject: the clusters page).
export function subjectLink(publicUrl: string | null, subject: Subject, at: Date): string | null {
  if (publicUrl === null) return null;
  const base = publicUrl.replace(/\/+$/, '');
  if (subject.namespace === null || subject.name === null) return `${base}/clusters?cluster=${encodeURIComponent(subject.cluster)}`;
  const path = [subject.cluster, subject.namespace, subject.name].map(encodeURIComponent).join('/');
  return `${base}/leases/${path}?${new URLSearchParams({ at: at.toISOString() }).toString()}`;
}

// An slo_burn alert covers an SLO's whole scope: the SLO page has its burn windows and budget chart.
export function sloPageLink(publicUrl: string | null): string | null {
  return publicUrl === null ? null : `${publicUrl.replace(/\/+$/, '')}/slos`;
}

// What a person reads first: what happened, for exactly how long, in their zone, and what ended it.
export function describeAlertText(alert: AlertFacts, event: Exclude<MessageEvent, 'test'>, context: MessageContext): string {
  const subject = describeSubject(parseSubjectKey(alert.subjectKey, alert.rule.kind));
  const since = alert.conditionSince ?? alert.startedAt;
  const time = (at: Date) => formatHumanTime(at, context.timeZone);
  if (event === 'firing') return `${alert.rule.name} on ${subject}: ${alert.summary}; condition holds since ${time(since)}`;
  const conditionEnd = alert.conditionEndedAt ?? alert.resolvedAt ?? since;
  const fired = alert.firingAt ?? alert.startedAt;
  const resolved = alert.resolvedAt ?? conditionEnd;
  const parts = [
    `${alert.rule.name} on ${subject} resolved`,
    `condition held for ${formatExactMs(conditionEnd.getTime() - since.getTime())} (${time(since)} to ${time(conditionEnd)})`,
    ...(alert.endedBy ? [`ended by: ${alert.endedBy}`] : []),
    `alert fired ${time(fired)} and lasted ${formatExactMs(resolved.getTime() - fired.getTime())}${alert.rule.quietSeconds > 0 ? ` including the ${formatExactMs(alert.rule.quietSeconds * 1_000)} quiet period` : ''}`,
  ];
  return parts.join('; ');
}

function toMessageAlert(alert: AlertFacts, event: Exclude<MessageEvent, 'test'>, context: MessageContext): AlertMessage['alert'] & { text: string; link: string | null } {
  const subject = parseSubjectKey(alert.subjectKey, alert.rule.kind);
  const since = alert.conditionSince ?? alert.startedAt;
  const conditionEnd = alert.conditionEndedAt ?? (alert.state === 'resolved' ? alert.resolvedAt : null);
  const fired = alert.firingAt ?? alert.startedAt;
  return {
    id: alert.id.toString(),
    state: alert.state,
    subject,
    subjectKey: alert.subjectKey,
    summary: alert.summary,
    value: alert.value,
    startedAt: alert.startedAt.toISOString(),
    firingAt: alert.firingAt?.toISOString() ?? null,
    resolvedAt: alert.resolvedAt?.toISOString() ?? null,
    conditionSince: since.toISOString(),
    conditionEndedAt: conditionEnd?.toISOString() ?? null,
    conditionSeconds: conditionEnd === null ? null : (conditionEnd.getTime() - since.getTime()) / 1_000,
    alertSeconds: alert.resolvedAt === null ? null : (alert.resolvedAt.getTime() - fired.getTime()) / 1_000,
    endedBy: alert.endedBy,
    text: describeAlertText(alert, event, context),
    link: alert.rule.kind === 'slo_burn' ? sloPageLink(context.publicUrl) : subjectLink(context.publicUrl, subject, since),
  };
}

// `members`: the other alerts of the same group (rule and group key), sent in this one message.
export function buildAlertMessage(
  alert: AlertFacts,
  event: Exclude<MessageEvent, 'test'>,
  deliveryId: string,
  now: number,
  context: MessageContext = utcContext,
  members: readonly AlertFacts[] = [],
): AlertMessage {
  const { text, link, ...first } = toMessageAlert(alert, event, context);
  const groupBy = alert.rule.groupBy ?? [];
  const alerts = [{ ...first, text, link }, ...members.map((member) => toMessageAlert(member, event, context))];
  const labels = groupLabelsOf(alert.subjectKey, alert.rule.kind, groupBy);
  const where = Object.entries(labels)
    .map(([part, value]) => `${part} ${value}`)
    .join(', ');
  const groupText =
    alerts.length === 1
      ? text
      : `${alert.rule.name}: ${alerts.length} alerts ${event === 'firing' ? 'firing' : 'resolved'}${where ? ` in ${where}` : ''}: ${alerts.map((member) => describeSubject(member.subject)).join('; ')}`;
  return {
    event,
    deliveryId,
    sentAt: new Date(now).toISOString(),
    text: groupText,
    timeZone: context.timeZone,
    alert: first,
    group: { by: ['rule', ...Object.keys(labels)], labels: { rule: alert.rule.name, ...labels }, alerts },
    links: { lease: link, runbook: alert.rule.runbookUrl },
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
export function buildTestMessage(channelName: string, deliveryId: string, now: number, context: MessageContext = utcContext): AlertMessage {
  const at = new Date(now).toISOString();
  const subject = { cluster: 'example-cluster', namespace: 'kube-system', name: 'kube-scheduler' };
  return {
    event: 'test',
    deliveryId,
    sentAt: at,
    text: `Test notification from Leasetrail to channel "${channelName}" at ${formatHumanTime(new Date(now), context.timeZone)}: this channel works.`,
    timeZone: context.timeZone,
    alert: {
      id: '0',
      state: 'firing',
      subject,
      subjectKey: 'example-cluster/kube-system/kube-scheduler',
      summary: `Test notification from Leasetrail to channel "${channelName}": this channel works.`,
      value: null,
      startedAt: at,
      firingAt: at,
      resolvedAt: null,
      conditionSince: at,
      conditionEndedAt: null,
      conditionSeconds: null,
      alertSeconds: null,
      endedBy: null,
    },
    group: null,
    links: { lease: subjectLink(context.publicUrl, subject, new Date(now)), runbook: null },
    rule: { id: 0, name: 'Leasetrail test', kind: 'flapping', description: 'a test notification, not a real alert', forSeconds: 0, quietSeconds: 0 },
  };
}
