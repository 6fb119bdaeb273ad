import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as alertRoute from '../../../app/api/alerts/[id]/route';
import * as ackRoute from '../../../app/api/alerts/[id]/ack/route';
import * as silenceRoute from '../../../app/api/alerts/[id]/silence/route';
import * as alertsRoute from '../../../app/api/alerts/route';
import * as ruleRoute from '../../../app/api/alert-rules/[id]/route';
import * as previewRoute from '../../../app/api/alert-rules/preview/route';
import * as rulesRoute from '../../../app/api/alert-rules/route';
import * as channelRoute from '../../../app/api/channels/[id]/route';
import * as testRoute from '../../../app/api/channels/[id]/test/route';
import * as channelsRoute from '../../../app/api/channels/route';
import type { ChannelDto, RuleDto } from '../../../lib/api/alert-dto';
import { verifyWebhookSignature } from '../../../lib/alerts/notifiers/webhook';
import { openChannelConfig } from '../../../lib/store/channel-secrets';
import { createMigratedDatabase, type MigratedDatabase } from '../helpers/database';
import { pointRoutesAtStore } from '../helpers/routes';
import { seedCluster, seedLease, seedTransitions } from '../helpers/seed';
import { callRoute, startReceiver, type Receiver } from './support';

let db: MigratedDatabase;
let restore: () => void;
let hook: Receiver;

beforeAll(async () => {
  db = await createMigratedDatabase('alerts_api');
  restore = pointRoutesAtStore(db.store);
  hook = await startReceiver();
});

afterAll(async () => {
  await hook.close();
  restore();
  await db.drop();
});

const webhookBody = (name: string, extra: Record<string, unknown> = {}) => ({ name, kind: 'webhook', config: { url: `${hook.url}/hook`, secret: 'integration-secret-value', ...extra } });

describe('channels API', () => {
  it('creates a channel and never shows its secret again', async () => {
    const created = await callRoute<{ channel: ChannelDto }>(channelsRoute.POST, 'POST', '/api/channels', { body: webhookBody('ops') });
    expect(created.status).toBe(201);
    expect(created.body.channel).toMatchObject({ name: 'ops', kind: 'webhook', enabled: true, config: { url: `${hook.url}/hook`, hasSecret: true, allowPrivateTargets: false } });
    expect(JSON.stringify(created.body)).not.toContain('integration-secret-value');
    const listed = await callRoute<{ channels: ChannelDto[] }>(channelsRoute.GET, 'GET', '/api/channels');
    expect(listed.body.channels.map((c) => c.name)).toContain('ops');
  });

  it('answers bad input with a 400 that says what is wrong', async () => {
    const cases: Array<[unknown, RegExp]> = [
      ['not json', /^the body must be JSON, e.g. /],
      [{ name: 'x', kind: 'pager', config: {} }, /^invalid kind: kind must be one of webhook, slack, alertmanager$/],
      [{ name: 'x', kind: 'webhook', config: { url: `${hook.url}/hook` } }, /^invalid config.secret: secret is required/],
      [webhookBody('meta', { url: 'http://169.254.169.254/latest/meta-data/' }), /^invalid config.url: refusing to send to 169.254.169.254: link-local \(cloud instance metadata\); set allowPrivateTargets/],
      [webhookBody('gcp', { url: 'http://metadata.google.internal/computeMetadata/v1/' }), /^invalid config.url: refusing to send to metadata.google.internal/],
      [webhookBody('v6', { url: 'http://[fe80::1]/x' }), /IPv6 link-local/],
    ];
    for (const [body, message] of cases) {
      const answer = await callRoute<{ error: string }>(channelsRoute.POST, 'POST', '/api/channels', { body });
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.error).toMatch(message);
    }
  });

  it('allows a metadata-range target only when the channel says so explicitly', async () => {
    const answer = await callRoute<{ channel: ChannelDto }>(channelsRoute.POST, 'POST', '/api/channels', { body: webhookBody('explicit', { url: 'http://169.254.10.10/hook', allowPrivateTargets: true }) });
    expect(answer.status).toBe(201);
    expect(answer.body.channel.config).toMatchObject({ allowPrivateTargets: true });
  });

  it('refuses a duplicate name with 409', async () => {
    await callRoute(channelsRoute.POST, 'POST', '/api/channels', { body: webhookBody('twice') });
    const again = await callRoute<{ error: string }>(channelsRoute.POST, 'POST', '/api/channels', { body: webhookBody('twice') });
    expect(again).toEqual({ status: 409, body: { error: 'a notification channel named "twice" already exists' } });
  });

  it('updates part of a channel, keeping the stored secret', async () => {
    const created = await callRoute<{ channel: ChannelDto }>(channelsRoute.POST, 'POST', '/api/channels', { body: webhookBody('patched') });
    const id = String(created.body.channel.id);
    const patched = await callRoute<{ channel: ChannelDto }>(channelRoute.PATCH, 'PATCH', `/api/channels/${id}`, { body: { config: { url: `${hook.url}/other` }, enabled: false }, params: { id } });
    expect(patched.status).toBe(200);
    expect(patched.body.channel).toMatchObject({ enabled: false, config: { url: `${hook.url}/other`, hasSecret: true } });
    const stored = await db.store.prisma.notificationChannel.findUniqueOrThrow({ where: { id: Number(id) } });
    expect((stored.config as { secret: string }).secret).toMatch(/^enc:v1:/);
    expect(openChannelConfig('webhook', stored.config)).toMatchObject({ secret: 'integration-secret-value' });
    const kindChange = await callRoute<{ error: string }>(channelRoute.PATCH, 'PATCH', `/api/channels/${id}`, { body: { kind: 'slack' }, params: { id } });
    expect(kindChange.status).toBe(400);
    expect(kindChange.body.error).toMatch(/cannot become a slack channel/);
  });

  it('sends a test notification and reports the receiver answer', async () => {
    const created = await callRoute<{ channel: ChannelDto }>(channelsRoute.POST, 'POST', '/api/channels', { body: webhookBody('tested') });
    const id = String(created.body.channel.id);
    const before = hook.requests.length;
    const ok = await callRoute<{ delivered: boolean; status: number }>(testRoute.POST, 'POST', `/api/channels/${id}/test`, { params: { id } });
    expect(ok).toMatchObject({ status: 200, body: { delivered: true, status: 200 } });
    const request = hook.requests[before]!;
    expect(request.headers['x-leasetrail-event']).toBe('test');
    expect(verifyWebhookSignature('integration-secret-value', request.headers['x-leasetrail-timestamp'] as string, request.body, request.headers['x-leasetrail-signature'] as string)).toBe(true);

    hook.respond(() => ({ status: 500, body: 'receiver is down' }));
    try {
      const failed = await callRoute<{ error: string; delivered: boolean }>(testRoute.POST, 'POST', `/api/channels/${id}/test`, { params: { id } });
      expect(failed).toMatchObject({ status: 502, body: { delivered: false, error: 'the test notification was not delivered: HTTP 500 Internal Server Error' } });
    } finally {
      hook.respond(() => ({ status: 200 }));
    }
  });

  it('answers 404 for an unknown channel and 400 for a malformed id', async () => {
    expect(await callRoute(channelRoute.GET, 'GET', '/api/channels/999', { params: { id: '999' } })).toEqual({ status: 404, body: { error: 'notification channel 999 not found' } });
    expect((await callRoute(channelRoute.GET, 'GET', '/api/channels/abc', { params: { id: 'abc' } })).status).toBe(400);
  });
});

describe('alert rules API', () => {
  const flapping = { name: 'scheduler flapping', kind: 'flapping', params: { transitions: 3, windowSeconds: 600 }, namePattern: 'kube-scheduler', quietSeconds: 120 };

  it('creates, reads, updates and deletes a rule', async () => {
    const channel = await callRoute<{ channel: ChannelDto }>(channelsRoute.POST, 'POST', '/api/channels', { body: webhookBody('for rules') });
    const created = await callRoute<{ rule: RuleDto }>(rulesRoute.POST, 'POST', '/api/alert-rules', { body: { ...flapping, channelIds: [channel.body.channel.id] } });
    expect(created.status).toBe(201);
    expect(created.body.rule).toMatchObject({
      ...flapping,
      enabled: true,
      clusterPattern: '*',
      forSeconds: 0,
      channelIds: [channel.body.channel.id],
      openAlerts: 0,
      description: 'at least 3 change(s) of leader within 10 min',
    });
    const id = String(created.body.rule.id);
    expect((await callRoute<{ rule: RuleDto }>(ruleRoute.GET, 'GET', `/api/alert-rules/${id}`, { params: { id } })).body.rule.name).toBe('scheduler flapping');

    const patched = await callRoute<{ rule: RuleDto }>(ruleRoute.PATCH, 'PATCH', `/api/alert-rules/${id}`, { body: { params: { transitions: 5, windowSeconds: 900 }, channelIds: [] }, params: { id } });
    expect(patched.body.rule).toMatchObject({ params: { transitions: 5, windowSeconds: 900 }, channelIds: [], namePattern: 'kube-scheduler' });

    const badPatch = await callRoute<{ error: string }>(ruleRoute.PATCH, 'PATCH', `/api/alert-rules/${id}`, { body: { kind: 'leaderless' }, params: { id } });
    expect(badPatch).toEqual({ status: 400, body: expect.objectContaining({ error: 'invalid params: params are required when kind changes from flapping to leaderless' }) });

    expect((await callRoute(ruleRoute.DELETE, 'DELETE', `/api/alert-rules/${id}`, { params: { id } })).status).toBe(204);
    expect((await callRoute(ruleRoute.GET, 'GET', `/api/alert-rules/${id}`, { params: { id } })).status).toBe(404);
  });

  it('validates rules with clear messages', async () => {
    const cases: Array<[unknown, string]> = [
      [{ ...flapping, params: { transitions: 3 } }, 'invalid params.windowSeconds: windowSeconds must be a whole number from 10 to 604800'],
      [{ ...flapping, kind: 'leaderless' }, 'invalid params.seconds: seconds must be a whole number from 0 to 604800'],
      [{ ...flapping, kind: 'leaderless', params: { seconds: 30, transitions: 3 } }, 'invalid params: Unrecognized key: "transitions"'],
      [{ ...flapping, forSeconds: 'soon' }, 'invalid forSeconds: forSeconds must be a whole number from 0 to 86400'],
      [{ ...flapping, channelIds: [424242] }, 'invalid channelIds: no channel with id 424242'],
    ];
    for (const [body, message] of cases) {
      const answer = await callRoute<{ error: string }>(rulesRoute.POST, 'POST', '/api/alert-rules', { body });
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.error).toBe(message);
    }
    await callRoute(rulesRoute.POST, 'POST', '/api/alert-rules', { body: { ...flapping, name: 'unique' } });
    expect((await callRoute(rulesRoute.POST, 'POST', '/api/alert-rules', { body: { ...flapping, name: 'unique' } })).status).toBe(409);
  });

  it('previews a rule over stored history: how many times it would have fired', async () => {
    const now = Date.now();
    const cluster = await seedCluster(db.store, 'preview-eu', { lastSeenAt: new Date(now) });
    const lease = await seedLease(db.store, cluster, { namespace: 'kube-system', name: 'kube-scheduler' });
    const calm = await seedLease(db.store, cluster, { namespace: 'kube-system', name: 'kube-controller-manager' });
    const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000);
    // Three bursts of flapping in the last 24 h (the last still going on), and one two days ago that must not count.
    const bursts = [60 * 48, 60 * 20, 60 * 8, 3].flatMap((start) => [start, start - 1, start - 2, start - 3].map((minutesAgo) => at(minutesAgo)));
    await seedTransitions(db.store, lease, bursts.map((when, i) => ({ at: when, kind: 'acquired' as const, cause: 'expiry' as const, eventKey: `burst-${i}` })));
    await seedTransitions(db.store, calm, [{ at: at(100), kind: 'acquired', cause: 'expiry', eventKey: 'calm' }]);

    const body = { kind: 'flapping', params: { transitions: 3, windowSeconds: 600 }, clusterPattern: 'preview-*', quietSeconds: 300 };
    const preview = await callRoute<{ firings: number; subjects: number; alerts: Array<{ subject: { name: string }; resolvedAt: string | null }>; description: string }>(
      previewRoute.POST,
      'POST',
      '/api/alert-rules/preview',
      { body },
    );
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ firings: 3, subjects: 1, description: 'at least 3 change(s) of leader within 10 min' });
    expect(preview.body.alerts.every((alert) => alert.subject.name === 'kube-scheduler')).toBe(true);
    expect(preview.body.alerts[0]?.resolvedAt).toBeNull();

    const week = await callRoute<{ firings: number }>(previewRoute.POST, 'POST', '/api/alert-rules/preview', { body: { ...body, hours: 24 * 7 } });
    expect(week.body.firings).toBe(4);
    const strict = await callRoute<{ firings: number }>(previewRoute.POST, 'POST', '/api/alert-rules/preview', { body: { ...body, params: { transitions: 5, windowSeconds: 600 } } });
    expect(strict.body.firings).toBe(0);
  });
});

describe('alerts API', () => {
  async function seedAlert(state: 'firing' | 'resolved', subjectKey: string) {
    const rule = await db.store.prisma.alertRule.upsert({ where: { name: 'seeded' }, create: { name: 'seeded', kind: 'flapping', params: { transitions: 3, windowSeconds: 600 } }, update: {} });
    const now = new Date();
    return db.store.prisma.alert.create({
      data: { ruleId: rule.id, subjectKey, state, summary: 'seeded', startedAt: now, firingAt: now, resolvedAt: state === 'resolved' ? now : null, lastEvaluatedAt: now, lastActiveAt: now },
    });
  }

  it('lists open alerts and history, validating the query', async () => {
    const firing = await seedAlert('firing', 'alerts-eu/kube-system/kube-scheduler');
    await seedAlert('resolved', 'alerts-us/kube-system/kube-scheduler');
    const open = await callRoute<{ alerts: Array<{ id: string; state: string; subject: unknown; ruleName: string }> }>(alertsRoute.GET, 'GET', '/api/alerts');
    expect(open.body.alerts.map((a) => a.id)).toContain(firing.id.toString());
    expect(open.body.alerts.every((a) => a.state !== 'resolved')).toBe(true);
    const history = await callRoute<{ alerts: Array<{ state: string; subject: unknown }> }>(alertsRoute.GET, 'GET', '/api/alerts?state=all&cluster=alerts-us');
    expect(history.body.alerts).toEqual([expect.objectContaining({ state: 'resolved', subject: { cluster: 'alerts-us', namespace: 'kube-system', name: 'kube-scheduler' } })]);
    const bad = await callRoute<{ error: string }>(alertsRoute.GET, 'GET', '/api/alerts?state=burning');
    expect(bad).toEqual({ status: 400, body: expect.objectContaining({ error: 'invalid state: must be one of open, resolved, all' }) });
  });

  it('acknowledges with a note and silences until a time, keeping both in the history', async () => {
    const alert = await seedAlert('firing', 'ack-eu/kube-system/kube-scheduler');
    const id = alert.id.toString();
    const acked = await callRoute<{ alert: { acknowledgedBy: string; ackNote: string; events: Array<{ note: string }> } }>(ackRoute.POST, 'POST', `/api/alerts/${id}/ack`, {
      body: { note: 'restarting the scheduler' },
      params: { id },
    });
    expect(acked.status).toBe(200);
    expect(acked.body.alert).toMatchObject({ acknowledgedBy: 'local', ackNote: 'restarting the scheduler' });
    expect((await callRoute<{ error: string }>(ackRoute.POST, 'POST', `/api/alerts/${id}/ack`, { body: {}, params: { id } })).body.error).toMatch(/^invalid note: note is required/);

    const until = new Date(Date.now() + 3_600_000).toISOString();
    const silenced = await callRoute<{ alert: { silencedUntil: string; isSilenced: boolean } }>(silenceRoute.POST, 'POST', `/api/alerts/${id}/silence`, { body: { until, note: 'maintenance' }, params: { id } });
    expect(silenced.body.alert).toMatchObject({ silencedUntil: until, isSilenced: true });
    const past = await callRoute<{ error: string }>(silenceRoute.POST, 'POST', `/api/alerts/${id}/silence`, { body: { until: '2020-01-01T00:00:00Z' }, params: { id } });
    expect(past.status).toBe(400);
    expect(past.body.error).toMatch(/^invalid until: must be in the future/);

    const lifted = await callRoute<{ alert: { isSilenced: boolean; events: Array<{ note: string }> } }>(silenceRoute.DELETE, 'DELETE', `/api/alerts/${id}/silence`, { params: { id } });
    expect(lifted.body.alert.isSilenced).toBe(false);
    const detail = await callRoute<{ alert: { events: Array<{ note: string }> } }>(alertRoute.GET, 'GET', `/api/alerts/${id}`, { params: { id } });
    expect(detail.body.alert.events.map((e) => e.note)).toEqual([
      'acknowledged by local: restarting the scheduler',
      `silenced until ${until} by local: maintenance`,
      'silence lifted by local',
    ]);
  });

  it('answers 404 for an unknown alert', async () => {
    expect(await callRoute(alertRoute.GET, 'GET', '/api/alerts/987654', { params: { id: '987654' } })).toEqual({ status: 404, body: { error: 'alert 987654 not found' } });
  });
});
