import { readFile } from 'node:fs/promises';
import { expect, test, type APIRequestContext } from '@playwright/test';
import type { FailoversResponse } from '../../lib/api/audit-dto';
import { failoverCsvColumns } from '../../lib/audit/csv';
import { parseCsvRecords } from '../integration/helpers/csv';

type SimView = { clusters: Array<{ name: string; leases: Array<{ lease: string; leader: string | null }> }> };

async function leaderOf(request: APIRequestContext, cluster: string, lease: string): Promise<string | null> {
  const response = await request.get('/api/sim');
  expect(response.status()).toBe(200);
  const view = (await response.json()) as SimView;
  return view.clusters.find((c) => c.name === cluster)?.leases.find((l) => l.lease === lease)?.leader ?? null;
}

const handovers = [
  { cluster: 'sim-prod-eu', lease: 'kube-system/kube-scheduler' },
  { cluster: 'sim-prod-us', lease: 'kube-system/kube-scheduler' },
  { cluster: 'sim-staging', lease: 'kube-system/kube-controller-manager' },
];

const leaseName = (lease: string) => lease.split('/')[1]!;

test('an audit of a window with handovers: pick the window, see the burst, annotate a failover, export the CSV', async ({ page, request }) => {
  test.setTimeout(150_000);
  for (const { cluster, lease } of handovers) await expect.poll(() => leaderOf(request, cluster, lease), { timeout: 40_000 }).not.toBeNull();

  // Three graceful handovers in three clusters, a few seconds apart: one burst across clusters.
  const incidentAt = new Date();
  const successors: string[] = [];
  for (const { cluster, lease } of handovers) {
    const before = await leaderOf(request, cluster, lease);
    const stop = await request.post('/api/sim/chaos', { data: { op: 'stopLeader', cluster, lease, release: true } });
    expect(stop.status()).toBe(200);
    await expect.poll(async () => {
      const leader = await leaderOf(request, cluster, lease);
      return leader !== null && leader !== before;
    }, { timeout: 30_000 }).toBe(true);
    successors.push((await leaderOf(request, cluster, lease))!);
  }
  const window = `from=${new Date(incidentAt.getTime() - 300_000).toISOString()}&to=${new Date(incidentAt.getTime() + 300_000).toISOString()}`;
  await expect.poll(async () => {
    const body = (await (await request.get(`/api/failovers?${window}`)).json()) as FailoversResponse;
    return successors.every((holder) => body.failovers.some((f) => f.toHolder === holder && f.cause === 'release'));
  }, { timeout: 30_000 }).toBe(true);

  await page.goto('/audit');
  await expect(page.getByRole('heading', { level: 1, name: 'Failover audit' })).toBeVisible();
  await page.getByLabel('Incident at (UTC)').fill(incidentAt.toISOString().slice(0, 19).replace('T', ' '));
  await page.getByLabel('Margin in minutes').fill('5');
  await page.getByRole('button', { name: 'Show incident' }).click();
  await expect(page).toHaveURL(/incident=.*&margin=5|margin=5.*incident=/);

  const rows = page.getByTestId('failover-row');
  for (const [index, { cluster, lease }] of handovers.entries()) {
    const row = rows.filter({ hasText: cluster }).filter({ hasText: lease }).filter({ hasText: 'after release' });
    await expect(row.first()).toBeVisible({ timeout: 20_000 });
    await expect(row.first().getByRole('link', { name: lease })).toHaveAttribute('href', new RegExp(`^/leases/${cluster}/kube-system/${leaseName(lease)}\\?at=`));
    await expect(row.filter({ hasText: successors[index]!.slice(0, successors[index]!.lastIndexOf('_')) }).first()).toBeVisible();
  }

  const burst = page.getByTestId('burst').filter({ hasText: /\d+ failovers in [23] clusters within/ }).first();
  await expect(burst).toBeVisible();
  for (const { cluster, lease } of handovers) await expect(burst.getByRole('link', { name: `${cluster}/${lease}` })).toBeVisible();
  await expect(page.getByRole('region', { name: /blind spot/i })).toBeVisible();

  // The permalink reproduces the window in a fresh page load.
  const permalink = await page.getByRole('link', { name: 'Permalink' }).getAttribute('href');
  expect(permalink).toMatch(/^\/audit\?.*margin=5/);
  const shown = (await page.getByTestId('audit-window').textContent())!.split(' · ')[0]!;
  await page.goto(permalink!);
  await expect(page.getByTestId('audit-window')).toContainText(shown);

  // A note on the eu scheduler's failover, through the form.
  const note = `handover drill ${Date.now()}: scheduler moved on purpose`;
  const euRow = rows.filter({ hasText: 'sim-prod-eu' }).filter({ hasText: 'kube-scheduler' }).filter({ hasText: 'after release' }).last();
  await euRow.getByRole('button', { name: /^Annotate the failover/ }).click();
  const form = page.getByRole('form', { name: 'Add a note' });
  await expect(form).toContainText('the failover of kube-system/kube-scheduler in sim-prod-eu');
  await form.getByLabel('Note').fill(note);
  await form.getByRole('button', { name: 'Add note' }).click();
  await expect(form.getByText('Note added.')).toBeVisible();
  const listed = page.getByTestId('annotation').filter({ hasText: note });
  await expect(listed).toBeVisible();
  await expect(listed).toContainText('failover of kube-system/kube-scheduler in sim-prod-eu');
  await expect(euRow).toContainText(note);

  // The CSV export of the window, as a browser downloads it.
  const downloading = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Export CSV' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^leasetrail-failovers-\d{8}T\d{6}Z-\d{8}T\d{6}Z\.csv$/);
  const { header, rows: records } = parseCsvRecords(await readFile((await download.path())!, 'utf8'));
  expect(header).toEqual([...failoverCsvColumns]);
  for (const [index, { cluster, lease }] of handovers.entries()) {
    const record = records.find((r) => r.to_holder === successors[index]);
    expect(record).toMatchObject({ cluster, namespace: 'kube-system', lease: leaseName(lease), kind: 'acquired', cause: 'release', is_restart: 'false', missed_count: '0' });
    expect(Date.parse(record?.at ?? '')).toBeGreaterThanOrEqual(incidentAt.getTime() - 1_000);
    expect(record?.burst_start).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  }

  // The note shows on the lease's page too, opened from its failover row.
  await euRow.getByRole('link', { name: 'kube-system/kube-scheduler' }).click();
  await expect(page).toHaveURL(/\/leases\/sim-prod-eu\/kube-system\/kube-scheduler\?at=/);
  await expect(page.getByRole('region', { name: /Annotations/ }).getByText(note)).toBeVisible({ timeout: 20_000 });
});

test('the audit API refuses bad input with a 400 that names it', async ({ request }) => {
  const failovers = await request.get('/api/failovers?cause=sideways');
  expect(failovers.status()).toBe(400);
  expect(((await failovers.json()) as { error: string }).error).toBe('invalid cause: must be one of release, expiry, early_takeover, preferred_holder, unknown');
  const note = await request.post('/api/annotations', { data: { text: 'x', at: 'noon' } });
  expect(note.status()).toBe(400);
  expect(((await note.json()) as { error: string }).error).toMatch(/^invalid at: /);
});
