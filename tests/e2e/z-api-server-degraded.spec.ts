import { expect, test } from '@playwright/test';

// Named to run last: the stall fails over sim-prod-eu's leases, which other specs watch.
const cluster = 'sim-prod-eu';
const lease = 'kube-system/kube-scheduler';

test('an API server stall is drawn as a band on the lease timeline and on every row of the cluster in the fleet timeline', async ({ page, request }) => {
  test.setTimeout(120_000);
  const contextUrl = `/api/leases/${cluster}/${lease}/context`;
  const bandsNow = async () => {
    const to = new Date();
    const answer = await request.get(`${contextUrl}?from=${new Date(to.getTime() - 15 * 60_000).toISOString()}&to=${to.toISOString()}`);
    expect(answer.status()).toBe(200);
    return ((await answer.json()) as { bands: Array<{ id: string; startedAt: number }> }).bands;
  };
  const before = new Set((await bandsNow()).map((band) => band.id));
  const stall = await request.post('/api/sim/chaos', { data: { op: 'stallApiServer', cluster, durationMs: 20_000 } });
  expect(stall.status()).toBe(200);
  await expect.poll(async () => (await bandsNow()).filter((band) => !before.has(band.id)).length, { timeout: 60_000 }).toBeGreaterThan(0);
  const band = (await bandsNow()).find((candidate) => !before.has(candidate.id))!;

  await page.goto(`/leases/${cluster}/${lease}?range=15m`);
  const drawn = page.locator(`[data-testid=timeline-band][data-band-id="${band.id}"]`);
  await expect(drawn).toHaveCount(1, { timeout: 20_000 });
  await expect(drawn).toContainText(/API server degraded: (\d+ of \d+ leases overdue at once|watch of the cluster failing)/);
  await expect(page.getByTestId('legend-degraded-band')).toBeVisible();

  // Hovering the band's first pixel names it in the tooltip.
  const canvas = page.getByTestId('timeline-canvas');
  const view = await canvas.evaluate((element) => ({ ...element.dataset }));
  const startedAt = Math.max(Number(view.from), band.startedAt);
  const x = Number(view.plotLeft) + ((startedAt - Number(view.from)) / (Number(view.to) - Number(view.from))) * Number(view.plotWidth) + 2;
  await canvas.hover({ position: { x, y: 14 } });
  await expect(page.getByRole('tooltip')).toContainText('API server degraded');

  await page.goto(`/timeline?cluster=${cluster}&range=15m`);
  const rows = page.locator(`[data-testid=timeline-band][data-band-id="${band.id}"]`);
  await expect(rows.first()).toBeAttached({ timeout: 20_000 });
  const rowKeys = await rows.evaluateAll((items) => items.map((item) => item.getAttribute('data-row')));
  expect(rowKeys.length).toBeGreaterThan(1);
  expect(rowKeys.every((key) => key?.startsWith(`${cluster}/`))).toBe(true);
  expect(rowKeys).toContain(`${cluster}/${lease}`);
});
