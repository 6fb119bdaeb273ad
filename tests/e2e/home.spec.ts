import { expect, test } from '@playwright/test';

test('the fleet page shows the simulated fleet the controller watches', async ({ page }) => {
  const clusters = page.getByRole('region', { name: 'Clusters' });
  await expect(async () => {
    const response = await page.goto('/');
    expect(response?.status()).toBe(200);
    await expect(clusters.getByText('sim-staging', { exact: true })).toBeVisible({ timeout: 500 });
  }).toPass({ timeout: 20_000 });
  await expect(page).toHaveTitle('Leasetrail');
  await expect(page.getByRole('heading', { level: 1, name: 'Fleet' })).toBeVisible();
  await expect(page.getByRole('note', { name: 'Simulation' })).toContainText('This is a simulation');
  for (const name of ['sim-prod-eu', 'sim-prod-us', 'sim-staging']) await expect(clusters.getByText(name, { exact: true })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Leasetrail' })).toHaveAttribute('href', '/');
});

test('the health endpoint reports the migrated database', async ({ request }) => {
  const response = await request.get('/api/health');
  expect(response.status()).toBe(200);
  expect(await response.json()).toMatchObject({ status: 'ok', database: { reachable: true, migration: expect.stringMatching(/^\d{14}_/) } });
});
