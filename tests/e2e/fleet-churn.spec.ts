import { expect, test } from '@playwright/test';

// The server side of churn (which leases, which counts, when a summary is known) is proven against
// PostgreSQL in tests/integration/store/fleet-timeline.test.ts; here the page is given such an answer
// and must draw it as churn, say so, and never as a holder.
test('a lease too busy to draw is shown as churn, with its counts and a hint to zoom in', async ({ page }) => {
  const to = Date.parse('2026-11-24T12:00:00Z');
  const from = to - 2 * 3_600_000;
  const iso = (ms: number) => new Date(ms).toISOString();
  await page.route('**/api/timeline?*', async (route) => {
    const buckets = Array.from({ length: 12 }, (_, i) => ({
      start: iso(from + i * 600_000),
      end: iso(from + (i + 1) * 600_000),
      failovers: 40 + i,
      missed: 0,
      summary: i < 6 ? { ledMs: 570_000, leaderlessMs: 30_000, unknownMs: 0 } : null,
    }));
    await route.fulfill({
      json: {
        leases: [
          { cluster: 'prod', namespace: 'ops', name: 'busy-operator', holderIdentity: 'op-1', holderSince: iso(to - 5_000), stateAtStart: { state: 'unknown', reason: 'not shown' }, churn: buckets },
          { cluster: 'prod', namespace: 'kube-system', name: 'kube-scheduler', holderIdentity: 'cp-1_a', holderSince: iso(from - 3_600_000), stateAtStart: { state: 'held', holder: 'cp-1_a', since: iso(from - 3_600_000) }, churn: null },
        ],
        transitions: [],
        hasMoreLeases: false,
        bands: [{ id: '9', cluster: 'prod', startedAt: from + 1_800_000, endedAt: from + 1_860_000, reason: 'renewals_stalled', stalledLeases: 3, totalLeases: 3 }],
        hasMoreBands: true,
        range: { from: iso(from), to: iso(to) },
      },
    });
  });
  await page.goto(`/timeline?from=${iso(from)}&to=${iso(to)}`);
  await expect(page.getByText('1 lease changed too often to draw each change: shown as churn, zoom in to see every change')).toBeVisible();
  // 40 + 41 + … + 51 failovers in the churn buckets.
  await expect(page.getByText('2 leases · 546 failovers in range')).toBeVisible();
  await expect(page.getByTestId('timeline-legend')).toContainText('too many changes to draw: zoom in');
  const summary = page.getByTestId('timeline-summary');
  await expect(summary.locator('li[data-type="churn"]')).toHaveCount(12);
  await expect(summary.locator('li[data-type="held"]')).toHaveCount(1);
  await expect(summary.locator('li[data-type="churn"]').first()).toContainText('40 failovers, too many to draw one by one');
  // The cluster's API server band lies over each of its rows, and the page says the bands were capped.
  await expect(summary.getByTestId('timeline-band')).toHaveCount(2);
  await expect(summary.getByTestId('timeline-band').first()).toContainText('API server degraded: 3 of 3 leases overdue at once');
  await expect(page.getByTestId('timeline-legend')).toContainText('API server degraded');
  await expect(page.getByText('API server degraded bands: only the newest 1 drawn, narrow the range to see older ones', { exact: false })).toBeVisible();
});
