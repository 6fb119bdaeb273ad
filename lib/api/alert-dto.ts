import { redactChannelConfig } from '../alerts/channel-config';
import { isSilenced } from '../alerts/lifecycle';
import { describeRule, parseRuleDefinition } from '../alerts/params';
import { parseSubjectKey } from '../alerts/patterns';
import type { Subject } from '../alerts/types';
import type { AlertDetail, AlertEventRecord, AlertRecord, NotificationRecord, RuleRecord } from '../store/alerts';
import type { ChannelRecord } from '../store/channels';
import type { TimeRange } from '../store/time-range';

type Iso = string;

const iso = (date: Date): Iso => date.toISOString();
const isoOrNull = (date: Date | null): Iso | null => (date ? date.toISOString() : null);

export type RuleDto = Omit<RuleRecord, 'createdAt' | 'updatedAt'> & { description: string; createdAt: Iso; updatedAt: Iso };

function describeStored(rule: RuleRecord): string {
  try {
    return describeRule(parseRuleDefinition(rule.kind, rule.params));
  } catch {
    return 'invalid parameters';
  }
}

export const toRuleDto = (rule: RuleRecord): RuleDto => ({ ...rule, description: describeStored(rule), createdAt: iso(rule.createdAt), updatedAt: iso(rule.updatedAt) });

export type AlertDto = Omit<
  AlertRecord,
  'id' | 'startedAt' | 'firingAt' | 'resolvedAt' | 'lastEvaluatedAt' | 'lastActiveAt' | 'silencedUntil' | 'acknowledgedAt' | 'conditionSince' | 'conditionEndedAt'
> & {
  id: string;
  subject: Subject;
  isSilenced: boolean;
  startedAt: Iso;
  firingAt: Iso | null;
  resolvedAt: Iso | null;
  lastEvaluatedAt: Iso;
  lastActiveAt: Iso;
  silencedUntil: Iso | null;
  acknowledgedAt: Iso | null;
  conditionSince: Iso | null;
  conditionEndedAt: Iso | null;
  // Firing, but its condition has ended: the quiet period is running before it resolves.
  isRecovering: boolean;
};

export function toAlertDto(alert: AlertRecord, now: Date = new Date()): AlertDto {
  return {
    ...alert,
    id: alert.id.toString(),
    subject: parseSubjectKey(alert.subjectKey, alert.ruleKind),
    // Silenced by hand until a time, or covered by a matcher silence (silencedBy) while open.
    isSilenced: isSilenced({ silencedUntil: alert.silencedUntil?.getTime() ?? null }, now.getTime()) || (alert.silencedBy !== null && alert.state !== 'resolved'),
    startedAt: iso(alert.startedAt),
    firingAt: isoOrNull(alert.firingAt),
    resolvedAt: isoOrNull(alert.resolvedAt),
    lastEvaluatedAt: iso(alert.lastEvaluatedAt),
    lastActiveAt: iso(alert.lastActiveAt),
    silencedUntil: isoOrNull(alert.silencedUntil),
    acknowledgedAt: isoOrNull(alert.acknowledgedAt),
    conditionSince: isoOrNull(alert.conditionSince),
    conditionEndedAt: isoOrNull(alert.conditionEndedAt),
    isRecovering: alert.state === 'firing' && alert.conditionEndedAt !== null,
  };
}

export type AlertEventDto = Omit<AlertEventRecord, 'id' | 'at'> & { id: string; at: Iso };

export type NotificationDto = Omit<NotificationRecord, 'id' | 'lastAttemptAt' | 'nextAttemptAt' | 'deliveredAt' | 'createdAt'> & {
  id: string;
  lastAttemptAt: Iso | null;
  nextAttemptAt: Iso | null;
  deliveredAt: Iso | null;
  createdAt: Iso;
};

export type AlertDetailDto = AlertDto & { events: AlertEventDto[]; notifications: NotificationDto[] };

export function toAlertDetailDto(alert: AlertDetail, now: Date = new Date()): AlertDetailDto {
  return {
    ...toAlertDto(alert, now),
    events: alert.events.map((event) => ({ ...event, id: event.id.toString(), at: iso(event.at) })),
    notifications: alert.notifications.map((notification) => ({
      ...notification,
      id: notification.id.toString(),
      lastAttemptAt: isoOrNull(notification.lastAttemptAt),
      nextAttemptAt: isoOrNull(notification.nextAttemptAt),
      deliveredAt: isoOrNull(notification.deliveredAt),
      createdAt: iso(notification.createdAt),
    })),
  };
}

export type ChannelDto = {
  id: number;
  name: string;
  kind: ChannelRecord['kind'];
  enabled: boolean;
  config: Record<string, unknown> | null;
  configError: string | null;
  ruleIds: number[];
  deliveries: Omit<ChannelRecord['deliveries'], 'lastFailure'> & {
    lastFailure: { notificationId: string; alertId: string; event: string; status: string; error: string; at: Iso | null; attempts: number } | null;
  };
  createdAt: Iso;
  updatedAt: Iso;
};

export function toChannelDto(channel: ChannelRecord): ChannelDto {
  const { lastFailure, ...counts } = channel.deliveries;
  return {
    id: channel.id,
    name: channel.name,
    kind: channel.kind,
    enabled: channel.enabled,
    config: channel.definition ? redactChannelConfig(channel.definition) : null,
    configError: channel.configError,
    ruleIds: channel.ruleIds,
    deliveries: {
      ...counts,
      lastFailure: lastFailure
        ? { ...lastFailure, notificationId: lastFailure.notificationId.toString(), alertId: lastFailure.alertId.toString(), at: isoOrNull(lastFailure.at) }
        : null,
    },
    createdAt: iso(channel.createdAt),
    updatedAt: iso(channel.updatedAt),
  };
}

export type RangeDto = { from: Iso; to: Iso };

export type AlertsResponse = { alerts: AlertDto[]; hasMore: boolean; range: RangeDto };
export type AlertResponse = { alert: AlertDetailDto };
export type RulesResponse = { rules: RuleDto[] };
export type RuleResponse = { rule: RuleDto };
export type ChannelsResponse = { channels: ChannelDto[] };
export type ChannelResponse = { channel: ChannelDto };

export const toAlertsResponse = ({ alerts, hasMore }: { alerts: AlertRecord[]; hasMore: boolean }, range: TimeRange, now = new Date()): AlertsResponse => ({
  alerts: alerts.map((alert) => toAlertDto(alert, now)),
  hasMore,
  range: { from: iso(range.from), to: iso(range.to) },
});
