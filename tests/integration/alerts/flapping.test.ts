import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as rulesRoute from '../../../app/api/alert-rules/route';
import * as channelsRoute from '../../../app/api/channels/route';
import { expandTransitions, flappingIntervals } from '../../../lib/alerts/conditions';
import { verifyWebhookSignature } from '../../../lib/alerts/notifiers/webhook';
import { startFleet } from '../../../lib/sim';
import { fastProfile, query, waitFor } from '../controller/support';
import { createMigratedDatabase } from '../helpers/database';
import { killProcess, startControllerProcess, type Started } from '../helpers/processes';
import { pointRoutesAtStore } from '../helpers/routes';
import { callRoute, startReceiver } from './support';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

const leaseKey = `${fastProfile.namespace}/${fastProfile.leaseName}`;
const secret = 'flapping-test-secret';
const windowSeconds = 25;
const quietSeconds = 3;

describe('a flapping simulated lease, watched by the controller process', () => {
  it('fires within 2 s of crossing the threshold, resolves after the quiet period, and notifies each exactly once across a restart', { timeout: 150_000 }, async () => {
    const db = await createMigratedDatabase('alerts_flapping');
    cleanups.push(db.drop);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'leasetrail-alerts-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const kubeconfig = path.join(dir, 'kubeconfig');
    const fleet = await startFleet({ clusters: ['alpha'], leases: [fastProfile], candidates: 3, seed: 11, restartDelayMs: 300, kubeconfigPath: kubeconfig });
    cleanups.push(() => fleet.stop());
    const receiver = await startReceiver();
    cleanups.push(receiver.close);
    const restoreRoutes = pointRoutesAtStore(db.store);
    cleanups.push(async () => restoreRoutes());

    const channel = await callRoute<{ channel: { id: number } }>(channelsRoute.POST, 'POST', '/api/channels', {
      body: { name: 'local receiver', kind: 'webhook', config: { url: `${receiver.url}/alerts`, secret } },
    });
    expect(channel.status).toBe(201);
    // Group interval 0: the resolved notification goes with the resolution, not at the group's next interval.
    const rule = await callRoute(rulesRoute.POST, 'POST', '/api/alert-rules', {
      body: { name: 'fast operator flapping', kind: 'flapping', params: { transitions: 3, windowSeconds }, namePattern: fastProfile.leaseName, forSeconds: 0, quietSeconds, groupWaitSeconds: 0, groupIntervalSeconds: 0, channelIds: [channel.body.channel.id] },
    });
    expect(rule.status).toBe(201);

    const env = { DATABASE_URL: db.url, KUBECONFIG: kubeconfig, LEASETRAIL_SIMULATE: 'never', LOG_LEVEL: 'warn', LEASETRAIL_DATA_DIR: dir };
    const run = async (): Promise<Started> => {
      const started = await startControllerProcess(env, ['alpha'], 60_000);
      cleanups.push(() => killProcess(started));
      return started;
    };
    const first = await run();

    const leader = await waitFor('a first leader', async () => fleet.leaderOf('alpha', leaseKey));
    await waitFor('the first leader stored', async () => (await query(db.url, `SELECT 1 FROM "Transition" WHERE "toHolder" = $1`, [leader])).length > 0, 30_000);

    // Three graceful hand-overs, each waited for: the third crosses the threshold.
    const takeovers = () => fleet.groundTruth.changes({ cluster: 'alpha', name: fastProfile.leaseName }).filter((change) => change.cause !== 'released');
    const initial = takeovers().length;
    for (let flap = 1; flap <= 3; flap++) {
      await fleet.stopLeader('alpha', leaseKey, { release: true });
      await waitFor(`hand-over ${flap}`, async () => takeovers().length >= initial + flap);
    }
    const crossedAt = takeovers()[initial + 2]!.at;

    const firing = await waitFor('the firing notification', async () => receiver.requests.find((request) => request.headers['x-leasetrail-event'] === 'firing'), 20_000);
    const [alert] = await query<{ id: string; state: string; firingAt: Date }>(db.url, `SELECT id::text, state::text, "firingAt" FROM "Alert"`);
    expect(alert?.state).toBe('firing');
    expect(alert!.firingAt.getTime() - crossedAt).toBeLessThanOrEqual(2_000);
    expect(firing.at - crossedAt).toBeLessThanOrEqual(5_000);
    expect(verifyWebhookSignature(secret, firing.headers['x-leasetrail-timestamp'] as string, firing.body, firing.headers['x-leasetrail-signature'] as string)).toBe(true);
    expect(JSON.parse(firing.body)).toMatchObject({ event: 'firing', alert: { id: alert!.id, subject: { cluster: 'alpha', name: fastProfile.leaseName } }, rule: { name: 'fast operator flapping' } });

    // Restart while the alert fires, once its delivery is recorded: the new process must send nothing again.
    await waitFor('the delivery recorded', async () => (await query(db.url, `SELECT 1 FROM "Notification" WHERE status = 'delivered'`)).length === 1);
    first.child.kill('SIGKILL');
    await first.exited;
    await run();
    const restartedAt = Date.now();

    const resolved = await waitFor('the resolved notification', async () => receiver.requests.find((request) => request.headers['x-leasetrail-event'] === 'resolved'), 60_000);
    expect(JSON.parse(resolved.body)).toMatchObject({ event: 'resolved', alert: { id: alert!.id, state: 'resolved' } });
    const rows = await waitFor('both deliveries recorded', async () => {
      const found = await query<{ event: string; status: string; attempts: number }>(db.url, `SELECT event::text, status::text, attempts FROM "Notification" ORDER BY id`);
      return found.every((row) => row.status === 'delivered') && found.length === 2 ? found : undefined;
    });
    expect(rows).toEqual([
      { event: 'firing', status: 'delivered', attempts: 1 },
      { event: 'resolved', status: 'delivered', attempts: 1 },
    ]);
    expect(receiver.requests.map((request) => request.headers['x-leasetrail-event'])).toEqual(['firing', 'resolved']);

    // Resolved one quiet period after the flapping window emptied (or right after the restart, had it emptied meanwhile).
    const alerts = await query<{ state: string; resolvedAt: Date }>(db.url, `SELECT state::text, "resolvedAt" FROM "Alert"`);
    expect(alerts).toHaveLength(1);
    const counted = await query<{ at: Date; weight: number }>(
      db.url,
      `SELECT at, ((kind = 'acquired' AND cause IS DISTINCT FROM 'first')::int + "missedCount")::int AS weight FROM "Transition" ORDER BY at`,
    );
    const clearedAt = Math.max(...flappingIntervals(expandTransitions(counted.map((row) => ({ at: row.at.getTime(), weight: row.weight })), 3), { transitions: 3, windowSeconds }).map((i) => i.end));
    const resolvedAt = alerts[0]!.resolvedAt.getTime();
    expect(resolvedAt).toBeGreaterThanOrEqual(clearedAt + quietSeconds * 1_000);
    expect(resolvedAt).toBeLessThanOrEqual(Math.max(clearedAt + quietSeconds * 1_000, restartedAt) + 2_000);
    const events = await query<{ fromState: string | null; toState: string }>(db.url, `SELECT "fromState"::text, "toState"::text FROM "AlertEvent" ORDER BY id`);
    expect(events).toEqual([
      { fromState: null, toState: 'firing' },
      { fromState: 'firing', toState: 'resolved' },
    ]);
  });
});
