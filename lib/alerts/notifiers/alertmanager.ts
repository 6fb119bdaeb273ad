import type { AlertmanagerConfig } from '../channel-config';
import { postJson } from './http';
import type { AlertMessage, Notifier, SendContext } from './types';

// Alertmanager resolves an alert by itself when endsAt passes, so a firing alert is sent again every
// minute with endsAt four minutes ahead (Prometheus does the same). If Leasetrail stops, the alert
// ends on its own instead of firing forever.
export const alertmanagerResendMs = 60_000;
export const alertmanagerFiringHorizonMs = 4 * alertmanagerResendMs;

export function alertsEndpoint(base: string): URL {
  const url = new URL(base);
  if (!url.pathname.endsWith('/api/v2/alerts')) url.pathname = `${url.pathname.replace(/\/+$/, '')}/api/v2/alerts`;
  return url;
}

type MessageAlert = AlertMessage['alert'];

export function alertmanagerLabels(config: AlertmanagerConfig, message: AlertMessage, alert: MessageAlert = message.alert): Record<string, string> {
  const { rule } = message;
  if (message.event === 'test') return { ...config.labels, alertname: 'LeasetrailTestNotification', leasetrail_test: 'true' };
  return {
    severity: 'warning',
    ...config.labels,
    alertname: rule.name,
    leasetrail_rule_kind: rule.kind,
    leasetrail_alert_id: alert.id,
    cluster: alert.subject.cluster,
    ...(alert.subject.namespace !== null ? { namespace: alert.subject.namespace } : {}),
    ...(alert.subject.name !== null ? { lease: alert.subject.name } : {}),
  };
}

// One Alertmanager alert per member of the group: Alertmanager groups again by its own route.
export function renderAlertmanagerBody(config: AlertmanagerConfig, message: AlertMessage, now: number): string {
  const { rule } = message;
  const members = message.group?.alerts ?? [{ ...message.alert, text: message.text, link: message.links.lease }];
  return JSON.stringify(
    members.map((alert) => ({
      labels: alertmanagerLabels(config, message, alert),
      annotations: {
        summary: message.event === 'test' ? 'Test notification from Leasetrail: this channel works.' : alert.summary,
        description: `${alert.text}. Rule ${rule.name} (${rule.kind.replace('_', ' ')}): ${rule.description}`,
        condition_since: alert.conditionSince,
        ...(alert.value !== null ? { value: String(alert.value) } : {}),
        ...(alert.endedBy ? { ended_by: alert.endedBy } : {}),
        ...(message.links.runbook ? { runbook_url: message.links.runbook } : {}),
      },
      ...(alert.link ? { generatorURL: alert.link } : {}),
      startsAt: message.event === 'test' ? new Date(now).toISOString() : (alert.firingAt ?? alert.startedAt),
      endsAt:
        message.event === 'resolved' ? (alert.resolvedAt ?? new Date(now).toISOString()) : new Date(now + (message.event === 'test' ? 60_000 : alertmanagerFiringHorizonMs)).toISOString(),
    })),
  );
}

function send(config: AlertmanagerConfig, message: AlertMessage, context: SendContext) {
  const headers: Record<string, string> = { 'user-agent': 'Leasetrail-Alertmanager/1' };
  if (config.bearerToken) headers.authorization = `Bearer ${config.bearerToken}`;
  return postJson(alertsEndpoint(config.url), renderAlertmanagerBody(config, message, context.now), headers, { allowPrivateTargets: config.allowPrivateTargets }, context);
}

export const alertmanagerNotifier: Notifier<AlertmanagerConfig> = { sendAlert: send, sendRecovery: send, sendTest: send };
