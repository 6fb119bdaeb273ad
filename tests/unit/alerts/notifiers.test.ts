import { describe, expect, it } from 'vitest';
import { buildAlertMessage, buildTestMessage } from '../../../lib/alerts/message';
import { alertsEndpoint, renderAlertmanagerBody } from '../../../lib/alerts/notifiers/alertmanager';
import { renderSlackBody } from '../../../lib/alerts/notifiers/slack';
import { renderWebhookBody, signWebhookBody, verifyWebhookSignature } from '../../../lib/alerts/notifiers/webhook';

const now = Date.parse('2026-11-24T10:05:00Z');
const alert = {
  id: 42n,
  state: 'firing' as const,
  subjectKey: 'prod-eu/kube-system/kube-scheduler',
  summary: '4 changes of leader in the last 10 min (threshold 3)',
  value: 4,
  startedAt: new Date('2026-11-24T10:00:00Z'),
  firingAt: new Date('2026-11-24T10:00:00Z'),
  resolvedAt: null,
  conditionSince: new Date('2026-11-24T09:59:57.400Z'),
  conditionEndedAt: null,
  endedBy: null,
  rule: { id: 3, name: 'scheduler flapping', kind: 'flapping' as const, params: { transitions: 3, windowSeconds: 600 }, forSeconds: 0, quietSeconds: 300, runbookUrl: 'https://wiki.example.com/runbooks/flapping' },
};

const berlin = { publicUrl: 'https://leasetrail.example.com/', timeZone: 'Europe/Berlin' };

describe('alert texts', () => {
  it('give the exact condition time in the configured zone and link to the lease at that moment', () => {
    const message = buildAlertMessage(alert, 'firing', '17', now, berlin);
    expect(message.text).toBe('scheduler flapping on prod-eu kube-system/kube-scheduler: 4 changes of leader in the last 10 min (threshold 3); condition holds since Tue, 24 Nov 2026, 10:59:57 CET');
    expect(message.links).toEqual({
      lease: 'https://leasetrail.example.com/leases/prod-eu/kube-system/kube-scheduler?at=2026-11-24T09%3A59%3A57.400Z',
      runbook: 'https://wiki.example.com/runbooks/flapping',
    });
  });

  it('on resolve say how long the condition held, what ended it and how long the alert lasted', () => {
    const resolved = {
      ...alert,
      state: 'resolved' as const,
      summary: 'no valid holder for 35 s (threshold 30 s)',
      conditionSince: new Date('2026-11-24T10:00:00Z'),
      conditionEndedAt: new Date('2026-11-24T10:00:40Z'),
      firingAt: new Date('2026-11-24T10:00:30Z'),
      resolvedAt: new Date('2026-11-24T10:05:40Z'),
      endedBy: 'pod-b acquired the lease after 40 s without a holder',
    };
    const message = buildAlertMessage(resolved, 'resolved', '18', now, { publicUrl: null, timeZone: 'UTC' });
    expect(message.text).toBe(
      'scheduler flapping on prod-eu kube-system/kube-scheduler resolved; condition held for 40 s (Tue, 24 Nov 2026, 10:00:00 UTC to Tue, 24 Nov 2026, 10:00:40 UTC); ended by: pod-b acquired the lease after 40 s without a holder; alert fired Tue, 24 Nov 2026, 10:00:30 UTC and lasted 5 min 10 s including the 5 min quiet period',
    );
    expect(message.alert).toMatchObject({ conditionSeconds: 40, alertSeconds: 310, endedBy: 'pod-b acquired the lease after 40 s without a holder' });
    expect(message.links.lease).toBeNull();
  });
});

describe('the common message', () => {
  it('carries the subject, the rule and its description', () => {
    const message = buildAlertMessage(alert, 'firing', '17', now);
    expect(message).toMatchObject({
      event: 'firing',
      deliveryId: '17',
      sentAt: '2026-11-24T10:05:00.000Z',
      alert: { id: '42', subject: { cluster: 'prod-eu', namespace: 'kube-system', name: 'kube-scheduler' }, firingAt: '2026-11-24T10:00:00.000Z' },
      rule: { id: 3, name: 'scheduler flapping', description: 'at least 3 change(s) of leader within 10 min' },
    });
  });
});

describe('webhook signing', () => {
  it('signs timestamp and body with HMAC-SHA256, and verification catches any change', () => {
    const body = renderWebhookBody(buildAlertMessage(alert, 'firing', '17', now));
    const signature = signWebhookBody('s3cret-s3cret-s3cret', '1795514700', body);
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature('s3cret-s3cret-s3cret', '1795514700', body, signature)).toBe(true);
    expect(verifyWebhookSignature('s3cret-s3cret-s3cret', '1795514701', body, signature)).toBe(false);
    expect(verifyWebhookSignature('s3cret-s3cret-s3cret', '1795514700', `${body} `, signature)).toBe(false);
    expect(verifyWebhookSignature('another-secret-entirely', '1795514700', body, signature)).toBe(false);
    expect(JSON.parse(body)).toMatchObject({ version: 1, event: 'firing' });
  });
});

describe('Alertmanager v2', () => {
  const config = { url: 'http://alertmanager.monitoring:9093/', labels: { team: 'platform' }, allowPrivateTargets: false };

  it('posts to /api/v2/alerts under the configured base', () => {
    expect(alertsEndpoint('http://am:9093').toString()).toBe('http://am:9093/api/v2/alerts');
    expect(alertsEndpoint('http://am:9093/prefix/').toString()).toBe('http://am:9093/prefix/api/v2/alerts');
    expect(alertsEndpoint('http://am:9093/api/v2/alerts').toString()).toBe('http://am:9093/api/v2/alerts');
  });

  it('sends a firing alert with labels for routing and an endsAt ahead that re-sending keeps moving', () => {
    const message = buildAlertMessage(alert, 'firing', '17', now, berlin);
    const [posted] = JSON.parse(renderAlertmanagerBody(config, message, now));
    expect(posted).toEqual({
      labels: { severity: 'warning', team: 'platform', alertname: 'scheduler flapping', leasetrail_rule_kind: 'flapping', leasetrail_alert_id: '42', cluster: 'prod-eu', namespace: 'kube-system', lease: 'kube-scheduler' },
      annotations: {
        summary: alert.summary,
        description: `${message.text}. Rule scheduler flapping (flapping): at least 3 change(s) of leader within 10 min`,
        condition_since: '2026-11-24T09:59:57.400Z',
        runbook_url: 'https://wiki.example.com/runbooks/flapping',
        value: '4',
      },
      generatorURL: message.links.lease,
      startsAt: '2026-11-24T10:00:00.000Z',
      endsAt: '2026-11-24T10:09:00.000Z',
    });
  });

  it('ends a resolved alert at its resolution, with the same labels so Alertmanager matches it', () => {
    const resolved = { ...alert, state: 'resolved' as const, resolvedAt: new Date('2026-11-24T10:20:00Z') };
    const [firing] = JSON.parse(renderAlertmanagerBody(config, buildAlertMessage(alert, 'firing', '17', now), now));
    const [posted] = JSON.parse(renderAlertmanagerBody(config, buildAlertMessage(resolved, 'resolved', '18', now), now));
    expect(posted.endsAt).toBe('2026-11-24T10:20:00.000Z');
    expect(posted.labels).toEqual(firing.labels);
  });
});

describe('Slack', () => {
  it('sends text plus one coloured attachment', () => {
    const body = JSON.parse(renderSlackBody(buildAlertMessage(alert, 'firing', '17', now)));
    expect(body.text).toBe('[FIRING] scheduler flapping: prod-eu kube-system/kube-scheduler');
    expect(body.attachments[0]).toMatchObject({ color: '#d92d20', text: buildAlertMessage(alert, 'firing', '17', now).text, fields: expect.arrayContaining([{ title: 'Runbook', value: alert.rule.runbookUrl, short: false }]) });
    expect(JSON.parse(renderSlackBody(buildTestMessage('ops', 'test-1', now))).text).toMatch(/^\[TEST\]/);
  });
});

describe('grouped notifications', () => {
  const member = (name: string, id: bigint) => ({ ...alert, id, subjectKey: `prod-eu/kube-system/${name}`, rule: { ...alert.rule, groupBy: ['cluster'] } });
  const leader = member('kube-scheduler', 42n);
  const others = [member('kube-controller-manager', 43n), member('cloud-controller-manager', 44n)];

  it('list every member in one message, keyed by rule and cluster', () => {
    const message = buildAlertMessage(leader, 'firing', '17', now, berlin, others);
    expect(message.group?.labels).toEqual({ rule: 'scheduler flapping', cluster: 'prod-eu' });
    expect(message.group?.alerts.map((a) => a.id)).toEqual(['42', '43', '44']);
    expect(message.text).toBe(
      'scheduler flapping: 3 alerts firing in cluster prod-eu: prod-eu kube-system/kube-scheduler; prod-eu kube-system/kube-controller-manager; prod-eu kube-system/cloud-controller-manager',
    );
    const slack = JSON.parse(renderSlackBody(message));
    expect(slack.text).toBe('[FIRING] scheduler flapping: 3 alerts in cluster prod-eu');
    expect(slack.attachments[0].text.split('\n')).toHaveLength(3);
    expect(slack.attachments[0].text).toContain('<https://leasetrail.example.com/leases/prod-eu/kube-system/kube-controller-manager?at=');
  });

  it('post one Alertmanager alert per member, each with its own labels', () => {
    const config = { url: 'http://am:9093/', labels: {}, allowPrivateTargets: false };
    const posted = JSON.parse(renderAlertmanagerBody(config, buildAlertMessage(leader, 'firing', '17', now, berlin, others), now));
    expect(posted.map((a: { labels: Record<string, string> }) => [a.labels.lease, a.labels.leasetrail_alert_id])).toEqual([
      ['kube-scheduler', '42'],
      ['kube-controller-manager', '43'],
      ['cloud-controller-manager', '44'],
    ]);
  });
});
