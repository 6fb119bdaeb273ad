import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as silencesRoute from '../../../app/api/silences/route';
import * as expireRoute from '../../../app/api/silences/[id]/expire/route';
import * as alertsRoute from '../../../app/api/alerts/route';
import { loggerFor } from '../../../lib/log';
import { DeliveryWorker } from '../../../lib/server/alerts/delivery';
import { AlertEngine } from '../../../lib/server/alerts/engine';
import { ConflictError, NotFoundError } from '../../../lib/errors';
import { claimNotifications } from '../../../lib/store/channels';
import { expireSilence } from '../../../lib/store/silences';
import type { Cluster, Lease } from '../../../lib/store/generated/prisma/client';
import { createMigratedDatabase, type MigratedDatabase } from '../helpers/database';
import { pointRoutesAtStore } from '../helpers/routes';
import { seedCluster, seedLease, seedTransitions } from '../helpers/seed';
import { callRoute, seedWebhookChannel, startReceiver, waitUntil, type Receiver } from './support';

// A burst of flapping across many leases and two clusters, evaluated by the engine on real PostgreSQL
// and delivered by the real worker to a real HTTP receiver. Times sit just behind the wall clock so
// the silences made through the API (which refuse an end in the past) cover them.

const t0 = Math.floor(Date.now() / 1_000) * 1_000 - 120_000;
const s = (seconds: number) => new Date(t0 + seconds * 1_000);

let db: MigratedDatabase;
let restore: () => void;
let receiver: Receiver;
const cleanups: Array<() => Promise<unknown>> = [];

beforeEach(async () => {
  db = await createMigratedDatabase('alerts_grouping');
  restore = pointRoutesAtStore(db.store);
  receiver = await startReceiver();
});

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
  await receiver.close();
  restore();
  await db.drop();
});

async function flappingLeases(cluster: Cluster, names: string[]): Promise<Lease[]> {
  const leases: Lease[] = [];
  for (const name of names) {
    const lease = await seedLease(db.store, cluster, { namespace: 'kube-system', name, holderIdentity: 'h0', leaseDurationSeconds: 15 });
    await seedTransitions(
      db.store,
      lease,
      [0, 10, 20].map((at, i) => ({ at: s(at), kind: 'acquired' as const, cause: 'release' as const, fromHolder: `h${i}`, toHolder: `h${i + 1}`, eventKey: `${cluster.name}-${name}-${at}` })),
    );
    leases.push(lease);
  }
  return leases;
}

async function setUp(groupWaitSeconds: number) {
  const prod = await seedCluster(db.store, 'prod-eu', { lastSeenAt: s(0) });
  const staging = await seedCluster(db.store, 'staging', { lastSeenAt: s(0) });
  const channelId = await seedWebhookChannel(db.store, 'hook', `${receiver.url}/hook`);
  await db.store.prisma.alertRule.create({
    data: {
      name: 'control plane flapping',
      kind: 'flapping',
      params: { transitions: 3, windowSeconds: 600 },
      quietSeconds: 30,
      groupBy: ['cluster'],
      groupWaitSeconds,
      channels: { create: [{ channelId }] },
    },
  });
  return { prod, staging };
}

function startWorker(): void {
  const worker = new DeliveryWorker({ store: db.store, log: loggerFor('grouping-test'), pollMs: 50, timeoutMs: 2_000, alertmanagerResendMs: null });
  worker.start();
  cleanups.push(() => worker.stop());
}

const engine = () => new AlertEngine({ store: db.store, log: loggerFor('grouping-test'), delivery: false });

type Posted = { event: string; text: string; group: { labels: Record<string, string>; alerts: Array<{ subjectKey: string }> } };

describe('grouping a burst', () => {
  it('sends one message per rule and cluster, listing every member, after the group wait', async () => {
    const { prod, staging } = await setUp(10);
    await flappingLeases(prod, ['kube-scheduler', 'kube-controller-manager', 'cloud-controller-manager', 'my-operator']);
    await flappingLeases(staging, ['kube-scheduler', 'kube-controller-manager']);

    const report = await engine().evaluate(['flapping'], t0 + 20_500);
    expect(report.changes.filter((change) => change.to === 'firing')).toHaveLength(6);
    expect(report.notificationsQueued).toBe(6);

    // Inside the group wait nothing may be claimed; once it has passed the whole group is.
    const busy: number[] = [];
    expect(await claimNotifications(db.store, { now: s(30), claimUntil: s(60), limit: 8, busyChannelIds: busy })).toEqual([]);

    startWorker();
    const posted = await waitUntil('two grouped deliveries', () => (receiver.requests.length >= 2 ? receiver.requests : undefined));
    const bodies = posted.map((request) => JSON.parse(request.body) as Posted).sort((a, b) => b.group.alerts.length - a.group.alerts.length);
    expect(bodies.map((body) => [body.group.labels, body.group.alerts.map((a) => a.subjectKey).sort()])).toEqual([
      [
        { rule: 'control plane flapping', cluster: 'prod-eu' },
        ['prod-eu/kube-system/cloud-controller-manager', 'prod-eu/kube-system/kube-controller-manager', 'prod-eu/kube-system/kube-scheduler', 'prod-eu/kube-system/my-operator'],
      ],
      [{ rule: 'control plane flapping', cluster: 'staging' }, ['staging/kube-system/kube-controller-manager', 'staging/kube-system/kube-scheduler']],
    ]);
    expect(bodies[0]?.text).toMatch(/^control plane flapping: 4 alerts firing in cluster prod-eu: /);
    await waitUntil('every notification recorded as delivered', async () => (await db.store.prisma.notification.count({ where: { status: 'delivered' } })) === 6);
    expect(receiver.requests).toHaveLength(2);
  });
});

describe('group wait runs from the group\'s first alert', () => {
  it('sends a member that fires 3 s after the first in the same message', async () => {
    const { prod } = await setUp(10);
    await flappingLeases(prod, ['kube-scheduler', 'kube-controller-manager']);
    expect((await engine().evaluate(['flapping'], t0 + 20_500)).notificationsQueued).toBe(2);

    const late = await seedLease(db.store, prod, { namespace: 'kube-system', name: 'my-operator', holderIdentity: 'h0', leaseDurationSeconds: 15 });
    await seedTransitions(
      db.store,
      late,
      [3, 13, 23].map((at, i) => ({ at: s(at), kind: 'acquired' as const, cause: 'release' as const, fromHolder: `h${i}`, toHolder: `h${i + 1}`, eventKey: `late-${at}` })),
    );
    expect((await engine().evaluate(['flapping'], t0 + 23_500)).notificationsQueued).toBe(1);

    // The group's wait ends 10 s after its first alert (30.5 s), before the late member's own (33.5 s).
    const claimed = await claimNotifications(db.store, { now: s(31), claimUntil: s(60), limit: 8, busyChannelIds: [] });
    expect(claimed).toHaveLength(1);
    expect([claimed[0]!.alert, ...claimed[0]!.members.map((member) => member.alert)].map((alert) => alert.subjectKey).sort()).toEqual([
      'prod-eu/kube-system/kube-controller-manager',
      'prod-eu/kube-system/kube-scheduler',
      'prod-eu/kube-system/my-operator',
    ]);
    expect(await claimNotifications(db.store, { now: s(40), claimUntil: s(70), limit: 8, busyChannelIds: [] })).toEqual([]);
  });
});

describe('group_interval and repeat_interval', () => {
  it('holds a new member of a notified group until group_interval after its message, then reminds of what still fires after repeat_interval, and ends the group once all resolved', async () => {
    const { prod } = await setUp(10);
    await db.store.prisma.alertRule.updateMany({ data: { groupIntervalSeconds: 300, repeatIntervalSeconds: 3_600 } });
    await flappingLeases(prod, ['kube-scheduler', 'kube-controller-manager']);
    expect((await engine().evaluate(['flapping'], t0 + 20_500)).notificationsQueued).toBe(2);

    let now = t0 + 31_000;
    const worker = new DeliveryWorker({ store: db.store, log: loggerFor('grouping-test'), pollMs: 20, timeoutMs: 2_000, alertmanagerResendMs: null, repeatCheckMs: 0, clock: { now: () => now } });
    worker.start();
    cleanups.push(() => worker.stop());
    await waitUntil('the group\'s first message', () => (receiver.requests.length === 1 ? true : undefined));
    const group = await waitUntil('the group recorded as sent', async () => (await db.store.prisma.notificationGroup.findFirst()) ?? undefined);
    expect(group.lastSentAt.getTime()).toBe(t0 + 31_000);

    const late = await seedLease(db.store, prod, { namespace: 'kube-system', name: 'my-operator', holderIdentity: 'h0', leaseDurationSeconds: 15 });
    await seedTransitions(
      db.store,
      late,
      [40, 50, 60].map((at, i) => ({ at: s(at), kind: 'acquired' as const, cause: 'release' as const, fromHolder: `h${i}`, toHolder: `h${i + 1}`, eventKey: `late-${at}` })),
    );
    expect((await engine().evaluate(['flapping'], t0 + 60_500)).notificationsQueued).toBe(1);
    const queued = await db.store.prisma.notification.findFirstOrThrow({ where: { status: 'pending' } });
    expect(queued.nextAttemptAt?.getTime()).toBe(t0 + 331_000);

    now = t0 + 330_000;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.requests).toHaveLength(1);
    now = t0 + 331_000;
    await waitUntil('the change after group_interval', () => (receiver.requests.length === 2 ? true : undefined));
    const change = JSON.parse(receiver.requests[1]!.body) as Posted;
    expect(change.group.alerts.map((alert) => alert.subjectKey)).toEqual(['prod-eu/kube-system/my-operator']);
    // The worker records the message after the receiver has it: the clock moves on only once it has.
    await waitUntil('the change recorded as sent', async () => (await db.store.prisma.notificationGroup.findFirstOrThrow()).lastSentAt.getTime() === t0 + 331_000 || undefined);

    now = t0 + 331_000 + 3_599_000;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.requests).toHaveLength(2);
    now = t0 + 331_000 + 3_600_000;
    await waitUntil('the reminder after repeat_interval', () => (receiver.requests.length === 3 ? true : undefined));
    const reminder = JSON.parse(receiver.requests[2]!.body) as Posted;
    expect(reminder.event).toBe('firing');
    expect(reminder.group.alerts.map((alert) => alert.subjectKey).sort()).toEqual([
      'prod-eu/kube-system/kube-controller-manager',
      'prod-eu/kube-system/kube-scheduler',
      'prod-eu/kube-system/my-operator',
    ]);
    await waitUntil('the reminder recorded as sent', async () => (await db.store.prisma.notificationGroup.findFirstOrThrow()).lastSentAt.getTime() === t0 + 331_000 + 3_600_000 || undefined);

    // All three resolve: the resolutions go out together at the group's next interval, and the group ends,
    // so the rule's next alert in this cluster is a new group again (group_wait).
    const resolvedAt = t0 + 331_000 + 3_600_000 + 300_000;
    expect((await engine().evaluate(['flapping'], t0 + 700_000)).changes.filter((change) => change.to === 'resolved')).toHaveLength(3);
    expect((await db.store.prisma.notification.findMany({ where: { event: 'resolved' } })).map((row) => row.nextAttemptAt?.getTime())).toEqual([resolvedAt, resolvedAt, resolvedAt]);
    now = resolvedAt;
    await waitUntil('the resolutions in one message', () => (receiver.requests.length === 4 ? true : undefined));
    const resolution = JSON.parse(receiver.requests[3]!.body) as Posted;
    expect([resolution.event, resolution.group.alerts.length]).toEqual(['resolved', 3]);
    await waitUntil('the group ended', async () => ((await db.store.prisma.notificationGroup.count()) === 0 ? true : undefined));
  });
});

describe('silences by matcher', () => {
  it('covers alerts raised after it was set up, names its author, and lets them through once expired', async () => {
    const { prod, staging } = await setUp(0);
    const created = await callRoute<{ silence: { id: number; state: string; createdBy: string } }>(silencesRoute.POST, 'POST', '/api/silences', {
      body: {
        matchers: { cluster: 'prod-*', namespace: 'kube-system', lease: 'kube-*', rule: '*flapping*' },
        startsAt: s(-60).toISOString(),
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        comment: 'control plane upgrade',
      },
    });
    expect(created.status).toBe(201);
    expect(created.body.silence).toMatchObject({ state: 'active', createdBy: 'local' });

    // The incident comes after the silence.
    await flappingLeases(prod, ['kube-scheduler', 'kube-controller-manager', 'my-operator']);
    await flappingLeases(staging, ['kube-scheduler']);
    const report = await engine().evaluate(['flapping'], t0 + 20_500);
    expect(report.changes.filter((change) => change.to === 'firing')).toHaveLength(4);
    const queued = await db.store.prisma.notification.findMany({ include: { alert: true } });
    expect(queued.map((n) => n.alert.subjectKey).sort()).toEqual(['prod-eu/kube-system/my-operator', 'staging/kube-system/kube-scheduler']);
    const silenced = await db.store.prisma.alert.findFirstOrThrow({ where: { subjectKey: 'prod-eu/kube-system/kube-scheduler' }, include: { events: true } });
    expect(silenced.events[0]?.note).toMatch(new RegExp(`^silenced by silence #${created.body.silence.id} of local until .*: control plane upgrade$`));
    // Stored and shown as silenced, by which silence.
    expect(silenced.silencedBy).toBe(created.body.silence.id);
    const shown = await callRoute<{ alerts: Array<{ subjectKey: string; isSilenced: boolean; silencedBy: number | null }> }>(alertsRoute.GET, 'GET', '/api/alerts?state=open');
    expect(shown.body.alerts.filter((alert) => alert.isSilenced).map((alert) => [alert.subjectKey, alert.silencedBy])).toEqual(
      expect.arrayContaining([['prod-eu/kube-system/kube-scheduler', created.body.silence.id]]),
    );
    expect(shown.body.alerts.find((alert) => alert.subjectKey === 'staging/kube-system/kube-scheduler')).toMatchObject({ isSilenced: false, silencedBy: null });

    const listed = await callRoute<{ silences: Array<{ id: number }> }>(silencesRoute.GET, 'GET', '/api/silences?state=active');
    expect(listed.body.silences.map((silence) => silence.id)).toEqual([created.body.silence.id]);

    const expired = await callRoute<{ silence: { state: string; expiredBy: string } }>(expireRoute.POST, 'POST', `/api/silences/${created.body.silence.id}/expire`, { params: { id: String(created.body.silence.id) } });
    expect(expired.body.silence).toMatchObject({ state: 'expired', expiredBy: 'local' });
    const again = await callRoute<{ error: string }>(expireRoute.POST, 'POST', `/api/silences/${created.body.silence.id}/expire`, { params: { id: String(created.body.silence.id) } });
    expect(again.status).toBe(409);

    const after = await engine().evaluate(['flapping'], Date.now() + 1_000);
    expect(after.notificationsQueued).toBe(2);
    expect((await db.store.prisma.alert.findFirstOrThrow({ where: { subjectKey: 'prod-eu/kube-system/kube-scheduler' } })).silencedBy).toBeNull();
  });

  it('notes in its history when an alert already firing becomes silenced', async () => {
    const { prod } = await setUp(0);
    await flappingLeases(prod, ['kube-scheduler']);
    await engine().evaluate(['flapping'], t0 + 20_500);
    const created = await callRoute<{ silence: { id: number } }>(silencesRoute.POST, 'POST', '/api/silences', {
      body: { matchers: { lease: 'kube-scheduler' }, startsAt: s(-60).toISOString(), endsAt: new Date(Date.now() + 3_600_000).toISOString(), comment: 'known' },
    });
    await engine().evaluate(['flapping'], t0 + 21_000);
    const alert = await db.store.prisma.alert.findFirstOrThrow({ include: { events: { orderBy: { id: 'asc' } } } });
    expect(alert.silencedBy).toBe(created.body.silence.id);
    expect(alert.events.map((event) => [event.toState, event.note])).toEqual([
      ['firing', null],
      ['firing', `silenced by silence #${created.body.silence.id}`],
    ]);
  });

  it('lets exactly one of two people expiring a silence at once win; the other gets a conflict', async () => {
    const created = await callRoute<{ silence: { id: number } }>(silencesRoute.POST, 'POST', '/api/silences', {
      body: { matchers: {}, endsAt: new Date(Date.now() + 3_600_000).toISOString(), comment: 'race' },
    });
    const id = created.body.silence.id;
    const now = new Date();
    const results = await Promise.allSettled(['alice', 'bob', 'carol'].map((by) => expireSilence(db.store, { id, by, now })));
    const won = results.filter((result) => result.status === 'fulfilled');
    expect(won).toHaveLength(1);
    expect(results.filter((result) => result.status === 'rejected').map((result) => (result as PromiseRejectedResult).reason)).toEqual([
      expect.any(ConflictError),
      expect.any(ConflictError),
    ]);
    const row = await db.store.prisma.silence.findUniqueOrThrow({ where: { id } });
    expect(row.expiredBy).toBe((won[0] as PromiseFulfilledResult<{ expiredBy: string | null }>).value.expiredBy);
    await expect(expireSilence(db.store, { id: 999_999, by: 'alice', now })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refuses a silence that ends before it starts or in the past, with a clear 4xx', async () => {
    const backwards = await callRoute<{ error: string }>(silencesRoute.POST, 'POST', '/api/silences', {
      body: { matchers: {}, startsAt: '2030-01-02T00:00:00Z', endsAt: '2030-01-01T00:00:00Z', comment: 'x' },
    });
    expect(backwards.status).toBe(400);
    expect(backwards.body.error).toMatch(/endsAt.*must be after startsAt/);
    const past = await callRoute<{ error: string }>(silencesRoute.POST, 'POST', '/api/silences', { body: { endsAt: '2020-01-01T00:00:00Z', comment: 'x' } });
    expect(past.status).toBe(400);
    expect(past.body.error).toMatch(/endsAt: must be in the future/);
  });
});
