import { expect, test, type APIRequestContext } from '@playwright/test';

type SimView = { clusters: Array<{ name: string; leases: Array<{ lease: string; leader: string | null }> }> };

async function simulation(request: APIRequestContext): Promise<SimView> {
  const response = await request.get('/api/sim');
  expect(response.status()).toBe(200);
  return (await response.json()) as SimView;
}

async function leaderOf(request: APIRequestContext, cluster: string, lease: string): Promise<string | null> {
  const view = await simulation(request);
  return view.clusters.find((c) => c.name === cluster)?.leases.find((l) => l.lease === lease)?.leader ?? null;
}

test('the fleet page lists every elected lease of the fleet', async ({ page, request }) => {
  const view = await simulation(request);
  const expected = view.clusters.flatMap((cluster) => cluster.leases.map((lease) => `${cluster.name} ${lease.lease}`));
  expect(expected.length).toBeGreaterThanOrEqual(9);
  await expect(async () => {
    await page.goto('/');
    const rows = page.getByRole('table').getByRole('row');
    await expect(rows).toHaveCount(expected.length + 1, { timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  for (const item of expected) {
    const [cluster, lease] = item.split(' ');
    await expect(page.getByRole('row').filter({ hasText: cluster! }).filter({ hasText: lease! })).toHaveCount(1);
  }
  await page.getByLabel('Filter leases').fill('scheduler');
  await expect(page).toHaveURL(/q=scheduler/);
  await expect(page.getByRole('table').getByRole('row')).toHaveCount(view.clusters.length + 1);
});

// Counts, per React commit, the fleet rows (their tenure cells) that were rendered again, through the hook React
// DevTools uses (production builds call it too). A subtree React skipped keeps its child fibers as they were.
function countRowRenders() {
  type Fiber = { type: unknown; memoizedProps: Record<string, unknown> | null; alternate: Fiber | null; child: Fiber | null; sibling: Fiber | null };
  const commits: Array<{ cells: number; rendered: number }> = [];
  (window as unknown as { rowRenders: typeof commits }).rowRenders = commits;
  const isTenureCell = (fiber: Fiber) => fiber.type === 'td' && fiber.memoizedProps?.['data-testid'] === 'tenure-cell';
  let renderers = 0;
  (window as unknown as { __REACT_DEVTOOLS_GLOBAL_HOOK__: unknown }).__REACT_DEVTOOLS_GLOBAL_HOOK__ = {
    supportsFiber: true,
    renderers: new Map(),
    inject: () => (renderers += 1),
    checkDCE: () => undefined,
    onScheduleFiberRoot: () => undefined,
    onCommitFiberUnmount: () => undefined,
    onPostCommitFiberRoot: () => undefined,
    onCommitFiberRoot: (_id: number, root: { current: Fiber }) => {
      let cells = 0;
      let rendered = 0;
      const visit = (fiber: Fiber, isFresh: boolean) => {
        if (isTenureCell(fiber)) {
          cells += 1;
          if (isFresh && (!fiber.alternate || fiber.alternate.memoizedProps !== fiber.memoizedProps)) rendered += 1;
        }
        const childrenFresh = isFresh && (!fiber.alternate || fiber.alternate.child !== fiber.child);
        for (let child = fiber.child; child; child = child.sibling) visit(child, childrenFresh);
      };
      visit(root.current, true);
      if (cells > 0) commits.push({ cells, rendered });
    },
  };
}

test('the fleet’s durations tick without rendering its rows again; rows render again only when the fleet is fetched', async ({ page }) => {
  await page.addInitScript(countRowRenders);
  await page.goto('/');
  await expect(page.getByTestId('tenure-cell').first()).toContainText(/Held for|Leaderless for/);
  let fetches = 0;
  page.on('response', (response) => {
    if (new URL(response.url()).pathname === '/api/fleet') fetches += 1;
  });
  const commitsBefore = await page.evaluate(() => (window as unknown as { rowRenders: unknown[] }).rowRenders.length);
  // Three ticks of the clock, each seen as a change of the durations' text (a duration under a minute changes on each).
  for (let tick = 0; tick < 3; tick += 1) {
    const texts = await page.getByTestId('tenure-cell').allTextContents();
    await expect.poll(() => page.getByTestId('tenure-cell').allTextContents(), { timeout: 10_000 }).not.toEqual(texts);
  }
  const commits = await page.evaluate((from) => (window as unknown as { rowRenders: Array<{ cells: number; rendered: number }> }).rowRenders.slice(from), commitsBefore);
  const cells = await page.getByTestId('tenure-cell').count();
  const rendered = commits.reduce((sum, commit) => sum + commit.rendered, 0);
  expect(commits.length).toBeGreaterThan(0);
  expect(rendered).toBeLessThanOrEqual(cells * fetches);
});

test('a crashed leader’s successor appears on the open lease page without a reload', async ({ page, request }) => {
  test.setTimeout(90_000);
  const cluster = 'sim-staging';
  const lease = 'kube-system/kube-scheduler';
  await expect.poll(() => leaderOf(request, cluster, lease), { timeout: 30_000 }).not.toBeNull();
  await page.goto(`/leases/${cluster}/${lease}?range=15m`);
  const holder = page.getByTestId('current-holder');
  await expect(holder).not.toHaveText('nobody', { timeout: 20_000 });
  const before = await holder.textContent();
  await page.evaluate(() => ((window as unknown as { marker: string }).marker = 'same page'));

  const crash = await request.post('/api/sim/chaos', { data: { op: 'crashLeader', cluster, lease, restartAfterMs: 60_000 } });
  expect(crash.status()).toBe(200);
  await expect.poll(async () => {
    const leader = await leaderOf(request, cluster, lease);
    return leader !== null && leader !== before;
  }, { timeout: 40_000 }).toBe(true);
  const successor = await leaderOf(request, cluster, lease);
  await expect(holder).toHaveText(successor!, { timeout: 10_000 });
  await expect(page.getByRole('row').filter({ hasText: 'after expiry' }).first()).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe('same page');
});

test('changing the range updates the URL and the data, and the renew chart shows points', async ({ page }) => {
  await page.goto('/leases/sim-prod-eu/kube-system/kube-controller-manager');
  const chart = page.getByTestId('renew-chart');
  await expect(chart).toBeVisible({ timeout: 20_000 });
  await expect.poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 20_000 }).toBeGreaterThan(2);
  await expect(chart.locator('.recharts-line-dot').first()).toBeVisible();

  const request = page.waitForRequest((r) => r.url().includes('/transitions?'));
  await page.getByRole('group', { name: 'Time range' }).getByRole('button', { name: '6h' }).click();
  await expect(page).toHaveURL(/range=6h/);
  const url = new URL((await request).url());
  const span = Date.parse(url.searchParams.get('to')!) - Date.parse(url.searchParams.get('from')!);
  expect(span).toBe(6 * 3_600_000);
  await expect(page.getByRole('button', { name: '6h' })).toHaveAttribute('aria-pressed', 'true');
});

test('the lease page draws its timeline from what the server sent, without asking the API for it', async ({ page }) => {
  // Held and never answered: a timeline that needed its own requests could not be drawn at all.
  const asked: Array<{ url: string; at: number }> = [];
  await page.route(/\/api\/(leases\/[^?]+\/transitions|gaps)\?/, (route) => void asked.push({ url: route.request().url(), at: Date.now() }));
  await page.goto('/leases/sim-prod-eu/kube-system/kube-scheduler?range=1h');
  const drawn = await page.waitForFunction(
    () => {
      const drawnAt = document.querySelector<HTMLCanvasElement>('[data-testid=timeline-canvas]')?.dataset.drawnAt;
      return drawnAt === undefined ? false : performance.timeOrigin + Number(drawnAt);
    },
    null,
    { timeout: 20_000 },
  );
  const drawnAt = (await drawn.jsonValue()) as number;
  expect(asked.filter((request) => request.at <= drawnAt).map((request) => request.url)).toEqual([]);
  await expect(page.getByTestId('renew-chart').or(page.getByText('No renewal observed in this range.'))).toBeVisible({ timeout: 20_000 });
});

test('a permalink reproduces the view: custom range, filters and time zone', async ({ page, browser }) => {
  await page.goto('/leases/sim-prod-us/kube-system/kube-scheduler');
  await expect(page.getByTestId('timeline-canvas')).toBeVisible({ timeout: 20_000 });
  const to = new Date(Math.floor((Date.now() - 60_000) / 1000) * 1000);
  const from = new Date(to.getTime() - 10 * 60_000);
  const wall = (date: Date) => date.toISOString().slice(0, 19).replace('T', ' ');
  await page.getByLabel('From (UTC)').fill(wall(from));
  await page.getByLabel('To (UTC)').fill(wall(to));
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/from=/);
  await page.getByLabel('Time zone').selectOption('Europe/Berlin');
  await expect.poll(() => new URL(page.url()).searchParams.get('tz')).toBe('Europe/Berlin');
  const permalink = page.url();
  expect(new URL(permalink).searchParams.get('from')).toBe(from.toISOString());

  const other = await browser.newPage();
  await other.goto(permalink);
  await expect(other.getByRole('heading', { level: 1 })).toHaveText('kube-system/kube-scheduler');
  const berlin = (date: Date) => new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Berlin', dateStyle: 'short', timeStyle: 'medium' }).format(date);
  await expect(other.getByLabel('From (Europe/Berlin)')).toHaveValue(berlin(from));
  await expect(other.getByLabel('To (Europe/Berlin)')).toHaveValue(berlin(to));
  await expect(other.getByRole('group', { name: 'Time range' }).getByRole('button', { pressed: true })).toHaveCount(0);
  await expect(other.getByLabel('Time zone')).toHaveValue('Europe/Berlin');
  await other.screenshot({ path: test.info().outputPath('permalink.png'), fullPage: true });
  await other.close();
});

test('the clusters page and the fleet timeline show every simulated cluster', async ({ page }) => {
  await page.goto('/clusters');
  for (const name of ['sim-prod-eu', 'sim-prod-us', 'sim-staging']) await expect(page.getByRole('cell', { name: new RegExp(name) })).toBeVisible();
  await page.getByRole('link', { name: 'Timeline' }).click();
  await expect(page).toHaveURL(/\/timeline/);
  await expect(page.getByTestId('timeline-canvas')).toBeVisible({ timeout: 20_000 });
  await expect(page.getByText(/10 leases/)).toBeVisible();
});

test('an unknown lease gets a clear not-found page', async ({ page }) => {
  const response = await page.goto('/leases/sim-prod-eu/kube-system/no-such-lease');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Not found' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Back to the fleet' })).toHaveAttribute('href', '/');
});
