import { expect, test } from '@playwright/test';

// The simulated fleet runs behind the app: sim-prod-eu's kube-system leases are led and renewed.

test('a silence set up in the form covers matching alerts ahead of time, shows its author, and can be expired', async ({ page }) => {
  await page.goto('/alerts?tab=silences');
  const form = page.getByRole('form', { name: 'New silence' });
  await form.getByLabel('Cluster').fill('sim-prod-*');
  await form.getByLabel('Namespace').fill('kube-system');
  await form.getByLabel('Lease').fill('kube-*');
  await form.getByLabel('Comment').fill('e2e: control plane upgrade');
  await form.getByRole('button', { name: 'Create silence' }).click();

  const table = page.getByRole('table', { name: 'Silences' });
  const row = table.getByRole('row').filter({ hasText: 'e2e: control plane upgrade' });
  await expect(row).toContainText('cluster=sim-prod-* namespace=kube-system lease=kube-* rule=*');
  await expect(row).toContainText('active');
  await expect(row).toContainText('local');

  await row.getByRole('button', { name: /^Expire silence/ }).click();
  await expect(row).toContainText('expired');
  await expect(row).toContainText('expired by local');

  await form.getByLabel('Comment').fill('e2e: backwards');
  await form.getByLabel('Ends').fill('2020-01-01T00:00');
  await form.getByRole('button', { name: 'Create silence' }).click();
  await expect(form.getByRole('alert')).toContainText('invalid endsAt: must be after startsAt');
});

test('an SLO created on its page shows the achieved share, the budget and the leases in scope', async ({ page }) => {
  await page.goto('/slos');
  const form = page.getByRole('form', { name: 'New SLO' });
  await form.getByLabel('Name', { exact: true }).fill('e2e control plane');
  await form.getByLabel('Target (% of observed time with a leader)').fill('99.9');
  await form.getByLabel('Window (days, up to 31)').fill('1');
  await form.getByLabel('Clusters (glob)').fill('sim-prod-eu');
  await form.getByLabel('Namespaces (glob)').fill('kube-system');
  await form.getByRole('button', { name: 'Create SLO' }).click();

  const row = page.getByRole('table', { name: 'SLOs' }).getByRole('row').filter({ hasText: 'e2e control plane' });
  await expect(row).toContainText('99.9 %');
  await expect(row).toContainText('sim-prod-eu / kube-system / * · 1 d');
  await expect(row.getByRole('cell').nth(2)).toHaveText(/\d+\.\d{3} %|—/);
  await row.getByRole('button', { name: 'Details' }).click();
  await expect(page.getByRole('img', { name: 'Error budget remaining over the SLO window' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Burn rate windows' })).toContainText('14.4×');
  await expect(page.getByRole('table', { name: 'SLO leases' })).toContainText('sim-prod-eu / kube-system/kube-scheduler');

  await form.getByLabel('Name', { exact: true }).fill('e2e impossible');
  await form.getByLabel('Target (% of observed time with a leader)').fill('100');
  await form.getByRole('button', { name: 'Create SLO' }).click();
  await expect(form.getByRole('alert')).toContainText('targetPercent must be below 100');
});

test('an SLO scoped by a label selector in its form keeps only the leases whose labels match, and refuses a bad selector', async ({ page }) => {
  await page.goto('/slos');
  const form = page.getByRole('form', { name: 'New SLO' });
  const selector = form.getByLabel('Lease labels (Kubernetes label selector, empty for any)');
  await form.getByLabel('Name', { exact: true }).fill('e2e not canary');
  await form.getByLabel('Window (days, up to 31)').fill('1');
  await form.getByLabel('Clusters (glob)').fill('sim-prod-eu');
  await form.getByLabel('Namespaces (glob)').fill('kube-system');
  await selector.fill('!canary');
  await form.getByRole('button', { name: 'Create SLO' }).click();
  const unlabelled = page.getByRole('table', { name: 'SLOs' }).getByRole('row').filter({ hasText: 'e2e not canary' });
  // The list is a heavy read (every SLO's window): on a loaded machine it answers in seconds.
  await expect(unlabelled).toContainText('sim-prod-eu / kube-system / * · labels !canary · 1 d', { timeout: 30_000 });
  await unlabelled.getByRole('button', { name: 'Details' }).click();
  await expect(page.getByRole('table', { name: 'SLO leases' })).toContainText('sim-prod-eu / kube-system/kube-scheduler', { timeout: 30_000 });

  // The simulated fleet's election leases carry no labels: a selector that needs one selects none of them.
  await form.getByLabel('Name', { exact: true }).fill('e2e gold tier');
  await form.getByLabel('Window (days, up to 31)').fill('1');
  await selector.fill('tier in (gold)');
  await form.getByRole('button', { name: 'Create SLO' }).click();
  const gold = page.getByRole('table', { name: 'SLOs' }).getByRole('row').filter({ hasText: 'e2e gold tier' });
  await expect(gold).toContainText('labels tier in (gold)', { timeout: 30_000 });
  await gold.getByRole('button', { name: 'Details' }).click();
  await expect(page.getByRole('region', { name: 'Leases in scope' })).toContainText('Leases in scope (0)', { timeout: 30_000 });

  await form.getByLabel('Name', { exact: true }).fill('e2e bad selector');
  await selector.fill('tier in ()');
  await form.getByRole('button', { name: 'Create SLO' }).click();
  await expect(form.getByRole('alert')).toContainText('invalid label selector "tier in ()": "in" needs at least one value at position 9');
});

test('the advisor panel on a lease says what its advice rests on and takes a given RenewDeadline', async ({ page }) => {
  await page.goto('/leases/sim-prod-eu/kube-system/kube-scheduler');
  const panel = page.getByTestId('advisor-panel');
  // The first answer waits for the fleet's first renewals to be stored and read.
  await expect(panel).toContainText(/\d+ renewals, \d+ failovers/, { timeout: 30_000 });
  await expect(panel).toContainText('LeaseDuration');
  await expect(panel).toContainText('(from the Lease)');
  await panel.getByLabel('RenewDeadline (s), if you know it').fill('10');
  await expect(panel).toContainText('10 s (given)');
  await panel.getByLabel('RetryPeriod (s), if you know it').fill('9');
  await expect(panel.getByRole('list', { name: 'Findings' })).toContainText('RenewDeadline must be greater than JitterFactor (1.2) × RetryPeriod');
  await panel.getByLabel('RetryPeriod (s), if you know it').fill('-1');
  await expect(panel.getByRole('alert')).toContainText('retryPeriodSeconds must be a number of seconds');
});
