import { expect, test } from '@playwright/test';

test('the fleet page shows real content from the store', async ({ page }) => {
  const response = await page.goto('/');
  expect(response?.status()).toBe(200);
  await expect(page).toHaveTitle('Leasetrail');
  await expect(page.getByRole('heading', { level: 1, name: 'Fleet' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'No clusters watched yet' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Leasetrail' })).toHaveAttribute('href', '/');
});

test('the health endpoint reports the migrated database', async ({ request }) => {
  const response = await request.get('/api/health');
  expect(response.status()).toBe(200);
  expect(await response.json()).toMatchObject({ status: 'ok', database: { reachable: true, migration: expect.stringMatching(/^\d{14}_/) } });
});
