import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeliveryWorker, type DeliveryWorkerOptions } from '../../../lib/server/alerts/delivery';
import { verifyWebhookSignature } from '../../../lib/alerts/notifiers/webhook';
import { loggerFor } from '../../../lib/log';
import { listChannels } from '../../../lib/store/channels';
import { createMigratedDatabase, type MigratedDatabase } from '../helpers/database';
import { startReceiver, waitUntil, type Receiver } from './support';

let db: MigratedDatabase;
let ruleId: number;
const cleanups: Array<() => Promise<unknown>> = [];

beforeEach(async () => {
  db = await createMigratedDatabase('alerts_delivery');
  ruleId = (await db.store.prisma.alertRule.create({ data: { name: 'scheduler flapping', kind: 'flapping', params: { transitions: 3, windowSeconds: 600 } } })).id;
});

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
  await db.drop();
});

async function receiver(): Promise<Receiver> {
  const started = await startReceiver();
  cleanups.push(started.close);
  return started;
}

function startWorker(options: Partial<DeliveryWorkerOptions> = {}): DeliveryWorker {
  const worker = new DeliveryWorker({
    store: db.store,
    log: loggerFor('delivery-test'),
    pollMs: 50,
    backoff: { initialMs: 100, maxMs: 1_000, jitter: 0 },
    timeoutMs: 2_000,
    alertmanagerResendMs: null,
    ...options,
  });
  worker.start();
  cleanups.push(() => worker.stop());
  return worker;
}

async function channel(kind: 'webhook' | 'slack' | 'alertmanager', config: Record<string, unknown>, name = `${kind}-${Math.random().toString(36).slice(2, 8)}`): Promise<number> {
  return (await db.store.prisma.notificationChannel.create({ data: { name, kind, config: { allowPrivateTargets: false, ...config } } })).id;
}

async function firingAlert(subjectKey = 'prod-eu/kube-system/kube-scheduler'): Promise<bigint> {
  const at = new Date('2026-11-24T10:00:00Z');
  const alert = await db.store.prisma.alert.create({
    data: { ruleId, subjectKey, state: 'firing', value: 4, summary: '4 changes of leader in the last 10 min (threshold 3)', startedAt: at, firingAt: at, lastEvaluatedAt: at, lastActiveAt: at },
  });
  return alert.id;
}

async function queue(alertId: bigint, channelId: number, event: 'firing' | 'resolved' = 'firing'): Promise<bigint> {
  return (await db.store.prisma.notification.create({ data: { alertId, channelId, event, nextAttemptAt: new Date() } })).id;
}

const row = (id: bigint) => db.store.prisma.notification.findUniqueOrThrow({ where: { id } });

describe('the delivery worker', () => {
  it('delivers a webhook signed with the channel secret', async () => {
    const hook = await receiver();
    const id = await queue(await firingAlert(), await channel('webhook', { url: `${hook.url}/leasetrail`, secret: 'a-very-secret-value' }));
    startWorker();
    const delivered = await waitUntil('delivery recorded', async () => ((await row(id)).status === 'delivered' ? row(id) : undefined));
    expect(delivered).toMatchObject({ attempts: 1, lastError: null });
    expect(hook.requests).toHaveLength(1);
    const [request] = hook.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/leasetrail' });
    expect(request!.headers['x-leasetrail-event']).toBe('firing');
    expect(request!.headers['x-leasetrail-delivery']).toBe(id.toString());
    const timestamp = request!.headers['x-leasetrail-timestamp'] as string;
    expect(verifyWebhookSignature('a-very-secret-value', timestamp, request!.body, request!.headers['x-leasetrail-signature'] as string)).toBe(true);
    expect(JSON.parse(request!.body)).toMatchObject({ version: 1, event: 'firing', alert: { subject: { cluster: 'prod-eu', name: 'kube-scheduler' } }, rule: { name: 'scheduler flapping' } });
  });

  it('retries with growing delays until the receiver accepts', async () => {
    const hook = await receiver();
    hook.respond((_request, index) => (index < 2 ? { status: 503, body: 'try later' } : { status: 200 }));
    const id = await queue(await firingAlert(), await channel('webhook', { url: hook.url, secret: 'a-very-secret-value' }));
    startWorker();
    await waitUntil('delivered after retries', async () => (await row(id)).status === 'delivered');
    expect((await row(id)).attempts).toBe(3);
    const [first, second, third] = hook.requests.map((request) => request.at);
    expect(second! - first!).toBeGreaterThanOrEqual(90);
    expect(third! - second!).toBeGreaterThanOrEqual(190);
  });

  it('gives up after the last attempt and shows why on the channel', async () => {
    const hook = await receiver();
    hook.respond(() => ({ status: 500, body: 'boom' }));
    const channelId = await channel('webhook', { url: hook.url, secret: 'a-very-secret-value' }, 'ops hook');
    const id = await queue(await firingAlert(), channelId);
    startWorker({ maxAttempts: 3 });
    await waitUntil('given up', async () => (await row(id)).status === 'failed');
    expect(await row(id)).toMatchObject({ attempts: 3, lastError: 'HTTP 500: boom (gave up after 3 attempts)', nextAttemptAt: null });
    expect(hook.requests).toHaveLength(3);
    const [listed] = await listChannels(db.store);
    expect(listed?.deliveries).toMatchObject({ failed: 1, lastFailure: { error: 'HTTP 500: boom (gave up after 3 attempts)', attempts: 3 } });
  });

  it('does not retry a request the receiver rejects as wrong', async () => {
    const hook = await receiver();
    hook.respond(() => ({ status: 400, body: 'bad payload' }));
    const id = await queue(await firingAlert(), await channel('webhook', { url: hook.url, secret: 'a-very-secret-value' }));
    startWorker();
    await waitUntil('failed', async () => (await row(id)).status === 'failed');
    expect(await row(id)).toMatchObject({ attempts: 1, lastError: 'HTTP 400: bad payload' });
  });

  it('refuses a cloud-metadata target without sending anything', async () => {
    const id = await queue(await firingAlert(), await channel('webhook', { url: 'http://169.254.169.254/latest/meta-data/', secret: 'a-very-secret-value' }));
    startWorker();
    await waitUntil('refused', async () => (await row(id)).status === 'failed');
    expect((await row(id)).lastError).toMatch(/^refusing to send to 169\.254\.169\.254: link-local/);
  });

  it('lets a hanging receiver hold only its own channel', async () => {
    const stuck = await receiver();
    stuck.respond(() => 'hang');
    const healthy = await receiver();
    const alertId = await firingAlert();
    const stuckId = await queue(alertId, await channel('webhook', { url: stuck.url, secret: 'a-very-secret-value' }));
    const healthyId = await queue(alertId, await channel('webhook', { url: healthy.url, secret: 'a-very-secret-value' }));
    const started = Date.now();
    startWorker({ timeoutMs: 5_000 });
    await waitUntil('the healthy channel delivered', async () => (await row(healthyId)).status === 'delivered');
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(stuck.requests).toHaveLength(1);
    expect((await row(stuckId)).status).toBe('pending');
  });

  it('delivers a recovery only after its firing notification', async () => {
    const hook = await receiver();
    hook.respond((request, index) => (index === 0 ? { status: 503 } : { status: 200 }));
    const channelId = await channel('webhook', { url: hook.url, secret: 'a-very-secret-value' });
    const alertId = await firingAlert();
    await queue(alertId, channelId, 'firing');
    const resolvedId = await queue(alertId, channelId, 'resolved');
    startWorker();
    await waitUntil('recovery delivered', async () => (await row(resolvedId)).status === 'delivered');
    expect(hook.requests.map((request) => request.headers['x-leasetrail-event'])).toEqual(['firing', 'firing', 'resolved']);
  });

  it('posts to Alertmanager v2 with the bearer token, and re-sends firing alerts so they do not expire', async () => {
    const alertmanager = await receiver();
    const id = await queue(await firingAlert(), await channel('alertmanager', { url: alertmanager.url, bearerToken: 'am-token', labels: { team: 'platform' } }));
    startWorker({ alertmanagerResendMs: 200 });
    await waitUntil('delivered', async () => (await row(id)).status === 'delivered');
    await waitUntil('a re-send', () => alertmanager.requests.length >= 2);
    for (const request of alertmanager.requests) {
      expect(request).toMatchObject({ method: 'POST', path: '/api/v2/alerts' });
      expect(request.headers.authorization).toBe('Bearer am-token');
      const [alert] = JSON.parse(request.body);
      expect(alert.labels).toMatchObject({ alertname: 'scheduler flapping', cluster: 'prod-eu', namespace: 'kube-system', lease: 'kube-scheduler', team: 'platform' });
      expect(Date.parse(alert.endsAt)).toBeGreaterThan(Date.now());
    }
  });

  it('posts Slack-compatible JSON', async () => {
    const slack = await receiver();
    const id = await queue(await firingAlert(), await channel('slack', { url: `${slack.url}/services/T000/B000/XXXX` }));
    startWorker();
    await waitUntil('delivered', async () => (await row(id)).status === 'delivered');
    expect(slack.requests[0]?.path).toBe('/services/T000/B000/XXXX');
    expect(JSON.parse(slack.requests[0]!.body).text).toBe('[FIRING] scheduler flapping: prod-eu kube-system/kube-scheduler');
  });

  it('fails a notification whose channel was disabled before it went out', async () => {
    const hook = await receiver();
    const channelId = await channel('webhook', { url: hook.url, secret: 'a-very-secret-value' });
    await db.store.prisma.notificationChannel.update({ where: { id: channelId }, data: { enabled: false } });
    const id = await queue(await firingAlert(), channelId);
    startWorker();
    await waitUntil('failed', async () => (await row(id)).status === 'failed');
    expect((await row(id)).lastError).toBe('channel disabled before delivery');
    expect(hook.requests).toHaveLength(0);
  });
});
