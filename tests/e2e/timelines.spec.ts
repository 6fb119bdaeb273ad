import { expect, test, type APIRequestContext, type Page } from '@playwright/test';

type SimView = { clusters: Array<{ name: string; leases: Array<{ lease: string; leader: string | null }> }> };
type TransitionsBody = { transitions: Array<{ kind: string; cause: string | null; at: string; toHolder: string | null }>; stateAtStart: { state: string; holder?: string } };

async function leaderOf(request: APIRequestContext, cluster: string, lease: string): Promise<string | null> {
  const response = await request.get('/api/sim');
  const view = (await response.json()) as SimView;
  return view.clusters.find((c) => c.name === cluster)?.leases.find((l) => l.lease === lease)?.leader ?? null;
}

async function chaos(request: APIRequestContext, data: Record<string, unknown>): Promise<void> {
  const response = await request.post('/api/sim/chaos', { data });
  expect(response.status()).toBe(200);
  expect(((await response.json()) as { applied: boolean }).applied).toBe(true);
}

async function transitionsOf(request: APIRequestContext, path: string, from: number, to: number): Promise<TransitionsBody> {
  const response = await request.get(`/api/leases/${path}/transitions?from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`);
  expect(response.status()).toBe(200);
  return (await response.json()) as TransitionsBody;
}

const summaryRow = (page: Page, key: string) => page.getByTestId('timeline-summary').locator(`ul[data-row="${key}"]`);

test('a quiet past window inside a tenure is drawn as held, on the fleet timeline, the lease page and in the API', async ({ page, request }) => {
  test.setTimeout(120_000);
  const cluster = 'sim-prod-us';
  const lease = 'kube-system/kube-controller-manager';
  const path = `${cluster}/${lease}`;
  await expect.poll(() => leaderOf(request, cluster, lease), { timeout: 30_000 }).not.toBeNull();
  // A window that opens once Leasetrail knows the lease, and closes after two renewals, before the takeover below.
  await expect.poll(async () => (await transitionsOf(request, path, Date.now() - 3_600_000, Date.now())).transitions.length, { timeout: 30_000 }).toBeGreaterThan(0);
  const windowFrom = Date.now();
  await expect
    .poll(
      async () => {
        const response = await request.get(`/api/leases/${path}/renewals?from=${new Date(windowFrom).toISOString()}&to=${new Date(Date.now() + 1_000).toISOString()}`);
        return ((await response.json()) as { stats: { count: number } }).stats.count;
      },
      { timeout: 30_000 },
    )
    .toBeGreaterThanOrEqual(2);
  const before = await leaderOf(request, cluster, lease);
  const windowTo = Date.now() - 200;
  await chaos(request, { op: 'crashLeader', cluster, lease, restartAfterMs: 60_000 });
  await expect.poll(async () => (await transitionsOf(request, path, windowTo, Date.now() + 60_000)).transitions.some((t) => t.kind === 'acquired'), { timeout: 40_000 }).toBe(true);

  const api = await transitionsOf(request, path, windowFrom, windowTo);
  expect(api.transitions).toEqual([]);
  expect(api.stateAtStart).toMatchObject({ state: 'held', holder: before });

  const range = `from=${new Date(windowFrom).toISOString()}&to=${new Date(windowTo).toISOString()}`;
  await page.goto(`/timeline?${range}`);
  const fleetRow = summaryRow(page, path);
  await expect(fleetRow.locator('li')).toHaveCount(1, { timeout: 20_000 });
  await expect(fleetRow.locator('li')).toHaveAttribute('data-type', 'held');
  await expect(fleetRow.locator('li')).toContainText(`held by ${before}`);
  await page.screenshot({ path: test.info().outputPath('past-window-fleet.png'), fullPage: true });

  await page.goto(`/leases/${path}?${range}`);
  const leaseRow = summaryRow(page, 'lease');
  await expect(leaseRow.locator('li')).toHaveCount(1, { timeout: 20_000 });
  await expect(leaseRow.locator('li')).toContainText(`held by ${before}`);
  await expect(page.getByTestId('timeline-legend').locator(`[data-holder="${before}"]`)).toBeVisible();
});

test('while nobody leads, the header and the current span grow on the clock, and the fleet row says leaderless', async ({ page, request }) => {
  test.setTimeout(120_000);
  const cluster = 'sim-prod-us';
  const lease = 'kube-system/kube-scheduler';
  await expect.poll(() => leaderOf(request, cluster, lease), { timeout: 30_000 }).not.toBeNull();
  await page.goto(`/leases/${cluster}/${lease}?range=15m`);
  await expect(page.getByTestId('tenure')).toHaveAttribute('data-state', 'held', { timeout: 20_000 });
  await expect(page.getByTestId('tenure')).toContainText('Led by');
  await page.evaluate(() => ((window as unknown as { marker: string }).marker = 'same page'));

  await chaos(request, { op: 'stopAllCandidates', cluster, lease, restartAfterMs: 60_000 });
  const tenure = page.getByTestId('tenure');
  // Leaderless once the 15 s lease runs out after its last renewal: a loaded CI machine gets the lease duration
  // and as much again, not 5 s of margin (it failed once there).
  await expect(tenure).toHaveAttribute('data-state', 'leaderless', { timeout: 30_000 });
  await expect(tenure).toContainText('Leaderless for');
  const seconds = async () => {
    const text = (await tenure.textContent()) ?? '';
    const match = /Leaderless for (?:(\d+) m )?([\d.]+) (ms|s)/.exec(text);
    return match ? Number(match[1] ?? 0) * 60 + Number(match[2]) / (match[3] === 'ms' ? 1_000 : 1) : Number.NaN;
  };
  const first = await seconds();
  expect(first).not.toBeNaN();
  await expect.poll(seconds, { timeout: 10_000 }).toBeGreaterThanOrEqual(first + 2);

  const lastSpan = summaryRow(page, 'lease').locator('li').last();
  // The header turns leaderless on the browser's clock; the span needs the stored expiry (controller →
  // PostgreSQL → live notice → refetch), which a loaded CI machine delivered later than 5 s once.
  await expect(lastSpan).toHaveAttribute('data-type', 'leaderless', { timeout: 20_000 });
  const spanText = await lastSpan.textContent();
  await expect.poll(() => lastSpan.textContent(), { timeout: 10_000 }).not.toBe(spanText);
  await expect(lastSpan).toHaveAttribute('data-type', 'leaderless');
  expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe('same page');
  await page.screenshot({ path: test.info().outputPath('leaderless-lease.png'), fullPage: true });

  await page.goto('/');
  const row = page.getByRole('row').filter({ hasText: cluster }).filter({ hasText: 'kube-scheduler' });
  await expect(row.getByTestId('tenure-cell')).toContainText('Leaderless for', { timeout: 20_000 });
  await expect(row).not.toContainText('Held for');
  const cellText = await row.getByTestId('tenure-cell').textContent();
  await expect.poll(() => row.getByTestId('tenure-cell').textContent(), { timeout: 10_000 }).not.toBe(cellText);
  await page.screenshot({ path: test.info().outputPath('leaderless-fleet.png'), fullPage: true });
});

test('eight tabs share one live stream, all stay live, a ninth loads, and a change reaches every tab', async ({ browser, request }) => {
  test.setTimeout(180_000);
  const context = await browser.newContext();
  const streams: string[] = [];
  context.on('request', (r) => {
    if (r.url().includes('/api/stream')) streams.push(r.url());
  });
  const cluster = 'sim-prod-eu';
  const lease = 'kube-system/kube-controller-manager';
  await expect.poll(() => leaderOf(request, cluster, lease), { timeout: 30_000 }).not.toBeNull();
  const pages: Page[] = [];
  for (let index = 0; index < 8; index += 1) {
    const page = await context.newPage();
    await page.goto(`/leases/${cluster}/${lease}?range=15m`);
    pages.push(page);
  }
  for (const page of pages) await expect(page.locator('[data-live-state]')).toHaveAttribute('data-live-state', 'live', { timeout: 20_000 });
  expect(streams).toHaveLength(1);
  const ninth = await context.newPage();
  const response = await ninth.goto('/timeline');
  expect(response?.status()).toBe(200);
  await expect(ninth.getByTestId('timeline-canvas')).toBeVisible({ timeout: 20_000 });

  const before = await leaderOf(request, cluster, lease);
  await chaos(request, { op: 'stopLeader', cluster, lease, release: true, restartAfterMs: 30_000 });
  await expect.poll(async () => {
    const leader = await leaderOf(request, cluster, lease);
    return leader !== null && leader !== before;
  }, { timeout: 40_000 }).toBe(true);
  // Every tab shows the holder the API server has now: the successor, or whoever the demo fleet's own
  // failovers made leader since (reading the successor once and comparing later raced with them under load).
  for (const page of pages) {
    await expect
      .poll(async () => {
        const shown = await page.getByTestId('current-holder').textContent();
        return shown !== null && shown !== before && shown === (await leaderOf(request, cluster, lease));
      }, { timeout: 30_000 })
      .toBe(true);
  }

  // The tab holding the stream closes: another takes it over and the others stay live.
  await pages[0]!.close();
  await expect.poll(() => streams.length, { timeout: 20_000 }).toBe(2);
  for (const page of pages.slice(1)) await expect(page.locator('[data-live-state]')).toHaveAttribute('data-live-state', 'live', { timeout: 20_000 });
  await context.close();
});

test('"Live" is shown only while updates flow', async ({ browser }) => {
  const context = await browser.newContext();
  await context.route('**/api/stream', (route) => route.abort());
  const page = await context.newPage();
  await page.goto('/clusters');
  await expect(page.locator('[data-live-state]')).toHaveAttribute('data-live-state', 'reconnecting', { timeout: 15_000 });
  await expect(page.locator('[data-live-state]')).not.toHaveText('Live');
  await context.close();
});

test('a custom range is typed in the chosen zone, 24-hour, relative ranges slide, and from-after-to is an error', async ({ page }) => {
  await page.goto('/timeline?tz=Asia/Kolkata');
  await expect(page.getByTestId('timeline-canvas')).toBeVisible({ timeout: 20_000 });
  await expect(page.getByLabel('Time zone')).toHaveValue('Asia/Kolkata');
  const fromInput = page.getByLabel('From (Asia/Kolkata)');
  await expect(fromInput).toHaveValue(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  const to = new Date(Math.floor((Date.now() - 120_000) / 1000) * 1000);
  const from = new Date(to.getTime() - 30 * 60_000);
  const kolkata = (date: Date) => new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Kolkata', dateStyle: 'short', timeStyle: 'medium' }).format(date);
  await fromInput.fill(kolkata(from));
  await page.getByLabel('To (Asia/Kolkata)').fill(kolkata(to));
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect.poll(() => new URL(page.url()).searchParams.get('from')).toBe(from.toISOString());
  expect(new URL(page.url()).searchParams.get('to')).toBe(to.toISOString());
  await expect(page.getByRole('form', { name: 'Custom range (Asia/Kolkata)' })).toBeVisible();
  await page.screenshot({ path: test.info().outputPath('kolkata-range.png'), fullPage: true });

  const url = page.url();
  await fromInput.fill(kolkata(to));
  await page.getByLabel('To (Asia/Kolkata)').fill(kolkata(from));
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.locator('#range-error')).toHaveText('From must be before To.');
  expect(page.url()).toBe(url);

  await fromInput.fill('now-2h');
  await page.getByLabel('To (Asia/Kolkata)').fill('now');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/from=now-2h&to=now/);
  await expect(page.locator('#range-error')).toHaveCount(0);
  const canvas = page.getByTestId('timeline-canvas');
  const span = await canvas.evaluate((element) => Number(element.dataset.to) - Number(element.dataset.from));
  expect(span).toBe(7_200_000);
  const startTo = Number(await canvas.getAttribute('data-to'));
  await expect.poll(async () => Number(await canvas.getAttribute('data-to')), { timeout: 10_000 }).toBeGreaterThan(startTo);

  await page.getByLabel('Time zone').selectOption('America/New_York');
  await expect.poll(() => new URL(page.url()).searchParams.get('tz')).toBe('America/New_York');
  await expect(page.getByLabel('From (America/New_York)')).toHaveValue('now-2h');
});

test('presets, drag-zoom, zoom out and shortcuts add history entries; Back returns to the previous range', async ({ page }) => {
  await page.goto('/leases/sim-prod-eu/kube-system/kube-scheduler');
  const canvas = page.getByTestId('timeline-canvas');
  await expect(canvas).toBeVisible({ timeout: 20_000 });
  await page.getByRole('group', { name: 'Time range' }).getByRole('button', { name: '6h' }).click();
  await expect(page).toHaveURL(/range=6h/);
  const box = (await canvas.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.6, box.y + 10);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.8, box.y + 10, { steps: 5 });
  await page.mouse.up();
  await expect(page).toHaveURL(/from=.*&to=/);
  const zoomed = page.url();
  await page.getByRole('button', { name: 'Zoom out' }).click();
  await expect.poll(() => page.url()).not.toBe(zoomed);
  const zoomedOut = page.url();
  await page.locator('body').click({ position: { x: 5, y: 300 } });
  await page.keyboard.press('t');
  await page.keyboard.press('ArrowLeft');
  await expect.poll(() => page.url()).not.toBe(zoomedOut);

  await page.goBack();
  await expect.poll(() => page.url()).toBe(zoomedOut);
  await page.goBack();
  await expect.poll(() => page.url()).toBe(zoomed);
  await page.goBack();
  await expect(page).toHaveURL(/range=6h$/);
  await expect(page.getByRole('button', { name: '6h' })).toHaveAttribute('aria-pressed', 'true');
  await page.goBack();
  await expect(page).toHaveURL(/\/leases\/sim-prod-eu\/kube-system\/kube-scheduler$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('kube-system/kube-scheduler');
});

async function pixelAt(page: Page, x: number, y: number): Promise<string> {
  return page.getByTestId('timeline-canvas').evaluate(
    (canvas: HTMLCanvasElement, [px, py]) => {
      const ratio = canvas.width / canvas.getBoundingClientRect().width;
      const [r, g, b] = canvas.getContext('2d')!.getImageData(Math.round(px! * ratio), Math.round(py! * ratio), 1, 1).data;
      return `#${[r, g, b].map((value) => value!.toString(16).padStart(2, '0')).join('')}`;
    },
    [x, y],
  );
}

test('"show" and ?at= links centre the timeline on the moment and draw a marker', async ({ page, request }) => {
  const at = new Date(Date.now() - 2 * 3_600_000);
  await page.goto(`/leases/sim-prod-eu/kube-system/kube-scheduler?range=1h&at=${at.toISOString()}`);
  const canvas = page.getByTestId('timeline-canvas');
  await expect(canvas).toHaveAttribute('data-marked-at', String(at.getTime()), { timeout: 20_000 });
  const from = Number(await canvas.getAttribute('data-from'));
  const to = Number(await canvas.getAttribute('data-to'));
  expect(to - from).toBe(3_600_000);
  expect(Math.abs((from + to) / 2 - at.getTime())).toBeLessThan(1_000);
  const left = Number(await canvas.getAttribute('data-plot-left'));
  const width = Number(await canvas.getAttribute('data-plot-width'));
  const x = left + ((at.getTime() - from) / (to - from)) * width;
  await expect.poll(() => pixelAt(page, Math.round(x), 2)).toBe('#0ea5e9');
  await expect(page.getByTestId('timeline-legend')).toContainText('selected moment');

  await page.goto('/leases/sim-prod-eu/kube-system/kube-scheduler?range=1h');
  const show = page.getByRole('button', { name: /^Show .* on the timeline$/ }).first();
  await expect(show).toBeVisible({ timeout: 20_000 });
  await show.click();
  await expect(page).toHaveURL(/at=/);
  const marked = new URL(page.url()).searchParams.get('at')!;
  await expect(canvas).toHaveAttribute('data-marked-at', String(Date.parse(marked)));
  await page.goBack();
  await expect(page).not.toHaveURL(/at=/);

  const audit = await request.get(`/api/failovers?from=${new Date(Date.now() - 3_600_000).toISOString()}&to=${new Date().toISOString()}`);
  const failover = ((await audit.json()) as { failovers: Array<{ at: string }> }).failovers[0];
  if (failover) {
    await page.goto('/audit');
    const link = page.locator('main a[href^="/leases/"][href*="at="]').first();
    await expect(link).toHaveAttribute('href', /at=/, { timeout: 20_000 });
    await link.click();
    await expect(page.getByTestId('timeline-canvas')).toHaveAttribute('data-marked-at', /\d+/, { timeout: 20_000 });
  }
});

test('each holder in view has its own colour, never a state colour, listed in the legend with the marker kinds', async ({ page, request }) => {
  const cluster = 'sim-prod-us';
  const lease = 'kube-system/kube-controller-manager';
  await page.goto(`/leases/${cluster}/${lease}?range=1h`);
  const legend = page.getByTestId('timeline-legend');
  const holders = legend.locator('[data-holder]');
  await expect(holders.first()).toBeVisible({ timeout: 20_000 });
  const body = await transitionsOf(request, `${cluster}/${lease}`, Date.now() - 3_600_000, Date.now());
  const expected = new Set(body.transitions.flatMap((t) => (t.toHolder ? [t.toHolder] : [])));
  if (body.stateAtStart.holder) expected.add(body.stateAtStart.holder);
  await expect(holders).toHaveCount(expected.size);
  const colors = await holders.evaluateAll((items) => items.map((item) => item.getAttribute('data-color')));
  expect(new Set(colors).size).toBe(colors.length);
  for (const color of colors) expect(['#dc2626', '#a1a1aa', '#ef4444']).not.toContain(color);
  for (const text of ['leaderless', 'not observed', 'early takeover', 'restart', 'missed changes', 'renewed after expiry']) await expect(legend).toContainText(text);
  await page.screenshot({ path: test.info().outputPath('holder-legend.png'), fullPage: true });
});

test('the renew chart and the leader timeline share the x-range, margins and a crosshair, with readable ticks', async ({ page }) => {
  // 15 minutes up to about now that start 2 s before a round two minutes, so a round time tick falls at the very
  // left of the plot: its label would cover the value axis's "0" unless the axis leaves it out (with "last 15 m"
  // it did so by chance, in CI).
  const from = Math.ceil((Date.now() - 15 * 60_000) / 120_000) * 120_000 - 2_000;
  const range = `from=${new Date(from).toISOString()}&to=${new Date(from + 15 * 60_000).toISOString()}`;
  await page.goto(`/leases/sim-prod-eu/kube-system/kube-controller-manager?${range}`);
  const canvas = page.getByTestId('timeline-canvas');
  const plot = page.getByTestId('renew-chart-plot');
  await expect(plot.locator('.recharts-cartesian-grid')).toBeVisible({ timeout: 20_000 });
  // Measured once nothing above the chart is still loading, so the layout no longer moves.
  await expect(page.locator('[aria-label^="Loading"]')).toHaveCount(0, { timeout: 20_000 });
  await page.setViewportSize({ width: 1280, height: 1100 });
  await plot.scrollIntoViewIfNeeded();
  const canvasBox = (await canvas.boundingBox())!;
  const canvasLeft = canvasBox.x + Number(await canvas.getAttribute('data-plot-left'));
  const canvasWidth = Number(await canvas.getAttribute('data-plot-width'));
  const grid = (await plot.locator('.recharts-cartesian-grid').boundingBox())!;
  expect(Math.abs(grid.x - canvasLeft)).toBeLessThanOrEqual(2);
  expect(Math.abs(grid.width - canvasWidth)).toBeLessThanOrEqual(2);
  expect(canvasBox.y).toBeGreaterThanOrEqual(0);
  expect(grid.y + grid.height).toBeLessThanOrEqual(1100);

  await page.mouse.move(grid.x + grid.width / 2, grid.y + grid.height / 2, { steps: 3 });
  await expect(canvas).toHaveAttribute('data-crosshair-at', /\d+/);
  const shownFrom = Number(await canvas.getAttribute('data-from'));
  const shownTo = Number(await canvas.getAttribute('data-to'));
  expect([shownFrom, shownTo]).toEqual([from, from + 15 * 60_000]);
  const crosshair = Number(await canvas.getAttribute('data-crosshair-at'));
  expect(Math.abs(crosshair - (shownFrom + shownTo) / 2)).toBeLessThan((shownTo - shownFrom) / 100);
  await page.mouse.move(canvasLeft + canvasWidth / 4, canvasBox.y + 12, { steps: 3 });
  await expect(plot).toHaveAttribute('data-crosshair-at', /\d+/);
  // The crosshair is a vertical reference line (the lease duration is the horizontal one).
  await expect
    .poll(() => plot.locator('.recharts-reference-line line').evaluateAll((lines) => lines.filter((line) => line.getAttribute('x1') === line.getAttribute('x2')).length))
    .toBe(1);

  await expect(page.getByTestId('renew-chart')).toContainText('observation lag');
  const boxes = await page.getByTestId('renew-chart').locator('.recharts-cartesian-axis-tick-value').evaluateAll((texts) => texts.map((text) => {
    const rect = text.getBoundingClientRect();
    return { x: rect.x, y: rect.y, right: rect.right, bottom: rect.bottom, lines: text.querySelectorAll('tspan').length };
  }));
  expect(boxes.length).toBeGreaterThan(3);
  for (const [index, a] of boxes.entries()) {
    expect(a.lines).toBeLessThanOrEqual(1);
    for (const b of boxes.slice(index + 1)) expect(a.right <= b.x || b.right <= a.x || a.bottom <= b.y || b.bottom <= a.y).toBe(true);
  }
});

const pages = ['/', '/timeline', '/clusters', '/nodes', '/audit', '/alerts', '/slos', '/leases/sim-prod-eu/kube-system/kube-scheduler'];

for (const width of [1280, 390]) {
  test(`every page at ${width} px: no horizontal scroll, navigation reachable, no console error or failed request (screenshots kept)`, async ({ browser }) => {
    test.setTimeout(120_000);
    const context = await browser.newContext({ viewport: { width, height: width === 390 ? 844 : 800 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
    });
    page.on('requestfailed', (failed) => {
      // Leaving a page cancels its live stream and Next's link prefetches: cancelled, not failed.
      if (failed.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`failed: ${failed.url()} ${failed.failure()?.errorText}`);
    });
    for (const path of pages) {
      await page.goto(path);
      await expect(page.getByRole('heading', { level: 1 })).toBeVisible({ timeout: 20_000 });
      await expect(page.locator('[aria-label^="Loading"]')).toHaveCount(0, { timeout: 20_000 });
      await expect(page.locator('[data-live-state="live"]')).toBeVisible({ timeout: 20_000 });
      const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(scrollWidth, `${path} is wider than the screen`).toBeLessThanOrEqual(width);
      for (const link of await page.getByRole('navigation', { name: 'Main' }).getByRole('link').all()) {
        const box = (await link.boundingBox())!;
        expect(box.x).toBeGreaterThanOrEqual(0);
        expect(box.x + box.width).toBeLessThanOrEqual(width);
      }
      const name = path === '/' ? 'fleet' : path.split('/')[1];
      await page.screenshot({ path: test.info().outputPath(`${name}-${width}.png`), fullPage: true });
    }
    expect(problems).toEqual([]);
    await context.close();
  });
}

test('fleet search from any page, "/" to focus; dark mode follows the system and toggles; the timeline takes the keyboard', async ({ browser }) => {
  const context = await browser.newContext({ colorScheme: 'dark' });
  const page = await context.newPage();
  await page.goto('/clusters');
  await expect(page.locator('html')).toHaveClass(/dark/);
  await page.getByRole('button', { name: /^Theme: system/ }).click();
  await expect(page.locator('html')).not.toHaveClass(/dark/);
  await page.getByRole('button', { name: /^Theme: light/ }).click();
  await expect(page.locator('html')).toHaveClass(/dark/);
  await page.reload();
  await expect(page.locator('html')).toHaveClass(/dark/);
  await page.screenshot({ path: test.info().outputPath('dark-clusters.png'), fullPage: true });

  await page.locator('h1').click();
  await page.keyboard.press('/');
  await expect(page.getByRole('combobox', { name: 'Search the fleet' })).toBeFocused();
  await page.keyboard.type('staging sched');
  await expect(page.getByRole('listbox', { name: 'Leases found' }).getByRole('option')).toHaveCount(1, { timeout: 10_000 });
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/leases\/sim-staging\/kube-system\/kube-scheduler/);

  const timeline = page.getByRole('group', { name: /Leader timeline of kube-system\/kube-scheduler/ });
  await timeline.focus();
  await page.keyboard.press('End');
  await expect(page.getByRole('tooltip')).toBeVisible({ timeout: 20_000 });
  await page.keyboard.press('Home');
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('tooltip')).toBeVisible();
  await context.close();
});

test('the demo shows failovers and a leaderless period within its first two minutes', async ({ request }) => {
  test.setTimeout(150_000);
  await expect
    .poll(
      async () => {
        const response = await request.get(`/api/failovers?from=${new Date(Date.now() - 3 * 3_600_000).toISOString()}&to=${new Date().toISOString()}`);
        const body = (await response.json()) as { failovers: Array<{ cluster: string; name: string; leaderlessMs: number | null }> };
        const opening = body.failovers.filter((f) => ['ingress-nginx-leader', 'cert-manager-controller', '8d2ae5b9.widgets.example.com'].includes(f.name));
        return opening.length >= 3 && opening.some((f) => f.cluster === 'sim-staging' && (f.leaderlessMs ?? 0) >= 20_000);
      },
      { timeout: 140_000, intervals: [2_000] },
    )
    .toBe(true);
});
