import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test, type APIRequestContext } from '@playwright/test';

type Received = { event: string; body: Record<string, unknown> };

// A webhook receiver on 127.0.0.1 inside the test, so notifications are checked where they land.
async function startReceiver(): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ event: String(req.headers['x-leasetrail-event']), body: JSON.parse(body) as Record<string, unknown> });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/leasetrail`,
    received,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const cluster = 'sim-prod-eu';
const lease = 'kube-system/kube-scheduler';

async function leaderOf(request: APIRequestContext): Promise<string | null> {
  const response = await request.get('/api/sim');
  expect(response.status()).toBe(200);
  const view = (await response.json()) as { clusters: Array<{ name: string; leases: Array<{ lease: string; leader: string | null }> }> };
  return view.clusters.find((c) => c.name === cluster)?.leases.find((l) => l.lease === lease)?.leader ?? null;
}

// A graceful hand-over (the leader releases): a new leader within a few seconds.
async function handOver(request: APIRequestContext): Promise<void> {
  let before: string | null = null;
  await expect(async () => {
    before = await leaderOf(request);
    expect(before).not.toBeNull();
  }).toPass({ timeout: 30_000 });
  const response = await request.post('/api/sim/chaos', { data: { op: 'stopLeader', cluster, lease, release: true } });
  expect(response.status()).toBe(200);
  await expect(async () => {
    const after = await leaderOf(request);
    expect(after).not.toBeNull();
    expect(after).not.toBe(before);
  }).toPass({ timeout: 30_000 });
}

test('a channel created in the UI reaches a receiver with "Send test"', async ({ page }) => {
  const receiver = await startReceiver();
  try {
    await page.goto('/alerts');
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Alerts' })).toHaveAttribute('aria-current', 'page');
    await page.getByRole('tab', { name: /Channels/ }).click();
    await expect(page).toHaveURL(/tab=channels/);
    await page.getByRole('button', { name: 'New channel' }).click();
    const form = page.getByRole('form', { name: 'New channel' });

    await form.getByLabel('Name', { exact: true }).fill('e2e test receiver');
    await form.getByLabel('URL').fill('http://169.254.169.254/latest/meta-data/');
    await form.getByRole('button', { name: 'Generate' }).click();
    await form.getByRole('button', { name: 'Create channel' }).click();
    await expect(form.getByRole('alert')).toContainText('refusing to send to 169.254.169.254: link-local');

    await form.getByLabel('URL').fill(receiver.url);
    await form.getByRole('button', { name: 'Create channel' }).click();
    const channels = page.getByRole('list', { name: 'Notification channels' });
    await expect(channels.getByText('e2e test receiver')).toBeVisible();

    await channels.getByRole('button', { name: 'Send test to e2e test receiver' }).click();
    await expect(channels.getByRole('status', { name: 'Test result for e2e test receiver' })).toContainText('Delivered (HTTP 200');
    expect(receiver.received.map((r) => r.event)).toEqual(['test']);
  } finally {
    await receiver.close();
  }
});

test('a rule created in the UI fires when its lease flaps, notifies, and is acknowledged', async ({ page, request }) => {
  test.setTimeout(150_000);
  const receiver = await startReceiver();
  try {
    const channel = await request.post('/api/channels', { data: { name: 'e2e flapping receiver', kind: 'webhook', config: { url: receiver.url, secret: 'e2e-secret-0123456789' } } });
    expect(channel.status()).toBe(201);

    await page.goto('/alerts?tab=rules');
    await page.getByRole('button', { name: 'New rule' }).click();
    const form = page.getByRole('form', { name: 'New rule' });
    await form.getByLabel('Name', { exact: true }).fill('scheduler flapping (e2e)');
    await form.getByLabel('Changes of leader (N)').fill('2');
    await form.getByLabel('Window (seconds)').fill('900');
    await form.getByLabel('Cluster pattern').fill(cluster);
    await form.getByLabel('Lease name pattern').fill('kube-scheduler');
    await form.getByLabel('Quiet period (seconds)').fill('600');
    await form.getByLabel('Group wait (seconds)').fill('0');
    await form.getByLabel('e2e flapping receiver (webhook)').check();
    await expect(form.getByRole('region', { name: 'Preview' }).getByRole('status')).toContainText(/Would (not )?have fired.* in the last 24 h: at least 2 change\(s\) of leader within 15 min/);

    await form.getByLabel('Window (seconds)').fill('5');
    await expect(form.getByRole('region', { name: 'Preview' })).toContainText('windowSeconds must be a whole number from 10 to 604800');
    await form.getByLabel('Window (seconds)').fill('900');
    await form.getByRole('button', { name: 'Create rule' }).click();
    const rules = page.getByRole('list', { name: 'Alert rules' });
    await expect(rules.getByText('scheduler flapping (e2e)')).toBeVisible();
    await expect(rules).toContainText('at least 2 change(s) of leader within 15 min');

    await handOver(request);
    await handOver(request);

    await page.getByRole('tab', { name: /Firing now/ }).click();
    const table = page.getByRole('table', { name: 'Firing and pending alerts' });
    const row = table.getByRole('row').filter({ hasText: 'scheduler flapping (e2e)' });
    await expect(row).toBeVisible({ timeout: 30_000 });
    await expect(row).toContainText('firing');
    await expect(row).toContainText(`${cluster} / ${lease}`);
    await expect(row).toContainText(/changes? of leader in the last 15 min \(threshold 2\)/);
    await expect.poll(() => receiver.received.map((r) => r.event), { timeout: 15_000 }).toEqual(['firing']);
    expect(receiver.received[0]?.body).toMatchObject({ event: 'firing', alert: { subject: { cluster, namespace: 'kube-system', name: 'kube-scheduler' } }, rule: { name: 'scheduler flapping (e2e)' } });
    await expect(row).toContainText('1 sent');

    await row.getByRole('button', { name: /^Details of scheduler flapping \(e2e\)/ }).click();
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    const ack = page.getByRole('form', { name: 'Acknowledge alert' });
    await ack.getByLabel('Note (required)').fill('e2e: looking into the scheduler');
    await ack.getByRole('button', { name: 'Save acknowledgement' }).click();
    await expect(row).toContainText('acknowledged');
    await expect(page.getByRole('region', { name: 'Alert history' })).toContainText('acknowledged by local: e2e: looking into the scheduler');
    await expect(page.getByRole('region', { name: 'Notifications' })).toContainText('delivered');
  } finally {
    await receiver.close();
  }
});
