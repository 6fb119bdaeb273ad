import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loggerFor } from '../../../lib/log';
import { DeliveryWorker } from '../../../lib/server/alerts/delivery';
import { AlertEngine } from '../../../lib/server/alerts/engine';
import type { Cluster } from '../../../lib/store/generated/prisma/client';
import { createMigratedDatabase, type MigratedDatabase } from '../helpers/database';
import { seedCluster, seedLease, seedTransitions } from '../helpers/seed';
import { startReceiver, waitUntil, type Receiver } from './support';

// Debian's real Alertmanager between Leasetrail and a webhook receiver: our alerts arrive with the
// documented labels, are grouped by Alertmanager's own route (alertname, cluster), resolve, and an
// Alertmanager silence holds one back.

const binary = '/usr/bin/prometheus-alertmanager';
const t0 = Math.floor(Date.now() / 1_000) * 1_000 - 120_000;
const s = (seconds: number) => new Date(t0 + seconds * 1_000);

let db: MigratedDatabase;
let dir: string;
let alertmanager: ChildProcess;
let amUrl: string;
let hook: Receiver;
let worker: DeliveryWorker;
let output = '';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  db = await createMigratedDatabase('alertmanager');
  hook = await startReceiver();
  dir = await mkdtemp(path.join(os.tmpdir(), 'leasetrail-am-'));
  const config = [
    'route:',
    '  receiver: hook',
    '  group_by: [alertname, cluster]',
    '  group_wait: 1s',
    '  group_interval: 1s',
    '  repeat_interval: 1h',
    'receivers:',
    '  - name: hook',
    '    webhook_configs:',
    `      - url: ${hook.url}/alertmanager`,
    '        send_resolved: true',
  ].join('\n');
  await writeFile(path.join(dir, 'alertmanager.yml'), config);
  const port = await freePort();
  amUrl = `http://127.0.0.1:${port}`;
  alertmanager = spawn(binary, [`--config.file=${path.join(dir, 'alertmanager.yml')}`, `--storage.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address='], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  alertmanager.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  alertmanager.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitUntil(`Alertmanager ready (${output})`, async () => (await fetch(`${amUrl}/-/ready`).catch(() => null))?.ok, 30_000);
});

afterAll(async () => {
  await worker?.stop();
  if (alertmanager && alertmanager.exitCode === null) {
    const exited = new Promise((resolve) => alertmanager.once('exit', resolve));
    alertmanager.kill('SIGTERM');
    await exited;
  }
  await hook?.close();
  await rm(dir, { recursive: true, force: true });
  await db?.drop();
});

async function flap(cluster: Cluster, name: string): Promise<void> {
  const lease = await seedLease(db.store, cluster, { namespace: 'kube-system', name, holderIdentity: 'h0', leaseDurationSeconds: 15 });
  await seedTransitions(
    db.store,
    lease,
    [0, 10, 20].map((at, i) => ({ at: s(at), kind: 'acquired' as const, cause: 'release' as const, fromHolder: `h${i}`, toHolder: `h${i + 1}`, eventKey: `${cluster.name}-${name}-${at}` })),
  );
}

type AmNotification = { status: 'firing' | 'resolved'; groupLabels: Record<string, string>; alerts: Array<{ status: string; labels: Record<string, string>; annotations: Record<string, string> }> };

const notifications = () => hook.requests.map((request) => JSON.parse(request.body) as AmNotification);
const leasesIn = (notification: AmNotification) => notification.alerts.map((alert) => alert.labels.lease).sort();

describe('a real Alertmanager', () => {
  it('receives our alerts with the documented labels, groups them by its route, respects its silence, and resolves them', async () => {
    const prod = await seedCluster(db.store, 'prod-eu', { lastSeenAt: s(0) });
    const staging = await seedCluster(db.store, 'staging', { lastSeenAt: s(0) });
    for (const name of ['kube-scheduler', 'kube-controller-manager', 'my-operator']) await flap(prod, name);
    await flap(staging, 'kube-scheduler');
    const channel = await db.store.prisma.notificationChannel.create({
      data: { name: 'alertmanager', kind: 'alertmanager', config: { url: amUrl, labels: { team: 'platform' }, allowPrivateTargets: true } },
    });
    await db.store.prisma.alertRule.create({
      data: { name: 'LeaseFlapping', kind: 'flapping', params: { transitions: 3, windowSeconds: 60 }, quietSeconds: 0, groupWaitSeconds: 1, channels: { create: [{ channelId: channel.id }] } },
    });

    // An Alertmanager silence, made in Alertmanager, for one lease.
    const silence = await fetch(`${amUrl}/api/v2/silences`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        matchers: [{ name: 'lease', value: 'my-operator', isRegex: false, isEqual: true }],
        startsAt: new Date().toISOString(),
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        createdBy: 'sre',
        comment: 'operator upgrade',
      }),
    });
    expect(silence.status).toBe(200);
    const { silenceID } = (await silence.json()) as { silenceID: string };

    // Leasetrail's own group wait sends each cluster's alerts in one request, so Alertmanager's 1 s group_wait
    // never splits them on a slow machine; Alertmanager still groups what it receives by its own route.
    const engine = new AlertEngine({ store: db.store, log: loggerFor('am-test'), delivery: false });
    expect((await engine.evaluate(['flapping'], t0 + 20_500)).notificationsQueued).toBe(4);
    worker = new DeliveryWorker({ store: db.store, log: loggerFor('am-test'), pollMs: 50, timeoutMs: 2_000, alertmanagerResendMs: null });
    worker.start();

    const firing = await waitUntil('both groups firing at the receiver', () => {
      const groups = notifications().filter((n) => n.status === 'firing');
      return groups.length >= 2 ? groups : undefined;
    });
    const byCluster = new Map(firing.map((n) => [n.groupLabels.cluster, n]));
    expect([...byCluster.keys()].sort()).toEqual(['prod-eu', 'staging']);
    expect(byCluster.get('prod-eu')?.groupLabels).toEqual({ alertname: 'LeaseFlapping', cluster: 'prod-eu' });
    expect(leasesIn(byCluster.get('prod-eu')!)).toEqual(['kube-controller-manager', 'kube-scheduler']);
    expect(leasesIn(byCluster.get('staging')!)).toEqual(['kube-scheduler']);
    const labels = byCluster.get('staging')!.alerts[0]!.labels;
    expect(labels).toMatchObject({ alertname: 'LeaseFlapping', severity: 'warning', team: 'platform', leasetrail_rule_kind: 'flapping', cluster: 'staging', namespace: 'kube-system', lease: 'kube-scheduler' });
    expect(labels.leasetrail_alert_id).toMatch(/^\d+$/);
    expect(byCluster.get('staging')!.alerts[0]!.annotations.summary).toBe('3 changes of leader in the last 60 s (threshold 3)');

    // Alertmanager holds the silenced one: it knows it, and marks it suppressed by our silence.
    const held = (await (await fetch(`${amUrl}/api/v2/alerts?filter=lease%3D%22my-operator%22`)).json()) as Array<{ status: { state: string; silencedBy: string[] } }>;
    expect(held).toHaveLength(1);
    expect(held[0]?.status).toMatchObject({ state: 'suppressed', silencedBy: [silenceID] });
    expect(notifications().flatMap((n) => n.alerts.map((a) => a.labels.lease))).not.toContain('my-operator');

    // The first change leaves the 60 s window at t0 + 60 s; an evaluation after that resolves every alert.
    expect((await engine.evaluate(['flapping'], t0 + 81_000)).changes.filter((c) => c.to === 'resolved')).toHaveLength(4);
    const resolved = await waitUntil('both groups resolved at the receiver', () => {
      const groups = notifications().filter((n) => n.status === 'resolved');
      return groups.length >= 2 ? groups : undefined;
    });
    expect(resolved.map((n) => [n.groupLabels.cluster, leasesIn(n)]).sort()).toEqual([
      ['prod-eu', ['kube-controller-manager', 'kube-scheduler']],
      ['staging', ['kube-scheduler']],
    ]);
  });
});
