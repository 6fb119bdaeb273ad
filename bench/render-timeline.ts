import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium } from '@playwright/test';
import pg from 'pg';
import { loggerFor } from '../lib/log';
import { findFreePort, startEmbeddedPostgres } from '../lib/store/embedded-postgres';
import { migrate } from '../lib/store/migrate';
import { median } from './machine';

export type RenderResult = {
  figure: 'render';
  transitions: number;
  runs: number;
  renderMs: { median: number; runs: number[] };
  breakdownMs: Record<string, number>;
  hoverMs: { median: number; runs: number[] };
  target: { renderMs: number };
  met: boolean;
  conditions: string;
};

const transitionsInRange = 5_000;

async function seed(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const now = Date.now();
    const { rows } = await client.query<{ id: number }>(`INSERT INTO "Cluster" (name, source, state, "updatedAt", "lastSeenAt") VALUES ('bench', 'simulated', 'connected', now(), now()) RETURNING id`);
    const clusterId = rows[0]!.id;
    const holders = ['cp-1', 'cp-2', 'cp-3'].map((host) => `${host}_${host}0000-0000-4000-8000-000000000000`);
    const { rows: leases } = await client.query<{ id: number }>(
      `INSERT INTO "Lease" ("clusterId", namespace, name, kind, "holderIdentity", "leaseDurationSeconds", "leaseTransitions", "observedAt", "holderSince", "lastCause", "updatedAt")
       VALUES ($1, 'kube-system', 'bench-lease', 'election', $2, 15, $3, now(), now(), 'expiry', now()) RETURNING id`,
      [clusterId, holders[transitionsInRange % 3], transitionsInRange],
    );
    const leaseId = leases[0]!.id;
    const spacing = (23 * 3_600_000) / transitionsInRange;
    const at = Array.from({ length: transitionsInRange }, (_, i) => new Date(now - 23 * 3_600_000 + i * spacing).toISOString());
    await client.query(
      `INSERT INTO "Transition" ("leaseId", "clusterId", "eventKey", kind, cause, at, "observedAt", "fromHolder", "toHolder", "isRestart", "leaderlessMs", "leaseTransitions")
       SELECT $1, $2, 'bench|' || i, 'acquired', (CASE WHEN i % 10 = 0 THEN 'early_takeover' WHEN i % 3 = 0 THEN 'release' ELSE 'expiry' END)::"AcquireCause",
              a::timestamptz, a::timestamptz, ($4::text[])[(i + 2) % 3 + 1], ($4::text[])[i % 3 + 1], i % 7 = 0, CASE WHEN i % 10 = 0 THEN NULL ELSE 2000 + (i % 5) * 1000 END, i
         FROM unnest($3::text[]) WITH ORDINALITY AS t(a, i)`,
      [leaseId, clusterId, at, holders],
    );
  } finally {
    await client.end();
  }
}

async function waitForServer(url: string, child: ReturnType<typeof spawn>): Promise<void> {
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/api/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error('the server did not start within 5 minutes');
}

// The lease page with 5,000 transitions in range, in Chromium against the production build: time
// from navigation start to the timeline drawn, then how long a hover takes to show its tooltip.
export async function benchRenderTimeline(runs = 5): Promise<RenderResult> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'leasetrail-bench-render-'));
  const database = await startEmbeddedPostgres({ dataDir, log: loggerFor('bench-postgres') });
  const port = await findFreePort();
  const server = spawn(process.execPath, ['scripts/launch.mjs', 'start'], {
    env: { ...process.env, DATABASE_URL: database.url, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production', LEASETRAIL_CONTROLLER: 'off', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    await migrate(database.url);
    await seed(database.url);
    const url = `http://127.0.0.1:${port}`;
    await waitForServer(url, server);
    const renderRuns: number[] = [];
    const hoverRuns: number[] = [];
    const breakdowns: Array<Record<string, number>> = [];
    for (let run = 0; run <= runs; run += 1) {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      // BENCH_RENDER_PROFILE=<file>: a CPU profile of the page's main thread for the last run (open it in
      // Chromium's DevTools, Performance → load profile, or summarise its self time by function).
      const profiling = process.env.BENCH_RENDER_PROFILE && run === runs ? await page.context().newCDPSession(page) : undefined;
      if (profiling) {
        await profiling.send('Profiler.enable');
        await profiling.send('Profiler.setSamplingInterval', { interval: 200 });
        await profiling.send('Profiler.start');
      }
      await page.goto(`${url}/leases/bench/kube-system/bench-lease?range=24h`);
      const canvas = page.getByTestId('timeline-canvas');
      await page.waitForFunction(() => Number(document.querySelector<HTMLCanvasElement>('[data-testid=timeline-canvas]')?.dataset.drawnSegments ?? 0) >= 5_000, null, { timeout: 60_000 });
      const drawnAt = Number(await canvas.getAttribute('data-drawn-at'));
      if (profiling) {
        const { profile } = await profiling.send('Profiler.stop');
        await writeFile(process.env.BENCH_RENDER_PROFILE!, JSON.stringify(profile));
      }
      // Where the time went: the document, the scripts, the page's own code, the draw, and any history
      // request the page made before it could draw (none when the server sent the first range).
      const breakdown = await page.evaluate(() => {
        const navigation = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
        const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
        const scripts = resources.filter((entry) => entry.initiatorType === 'script' && entry.startTime < navigation.domContentLoadedEventEnd);
        const api = resources.filter((entry) => entry.name.includes('/api/'));
        const transitions = api.find((entry) => entry.name.includes('/transitions?'));
        const mounted = performance.getEntriesByName('lease-page:mounted')[0];
        const draw = performance.getEntriesByName('timeline:draw').at(-1);
        return {
          htmlFirstByte: navigation.responseStart,
          htmlReceived: navigation.responseEnd,
          scriptsReceived: scripts.length > 0 ? Math.max(...scripts.map((entry) => entry.responseEnd)) : -1,
          domContentLoaded: navigation.domContentLoadedEventEnd,
          pageMounted: mounted?.startTime ?? -1,
          drawStarted: draw?.startTime ?? -1,
          drawMs: draw?.duration ?? -1,
          firstApiRequest: api.length > 0 ? Math.min(...api.map((entry) => entry.startTime)) : -1,
          transitionsRequest: transitions?.startTime ?? -1,
          transitionsResponse: transitions?.responseEnd ?? -1,
        };
      });
      // The middle of the plot, first row; hover() scrolls the canvas into view first (the page has grown
      // panels above the timeline, and a mouse move to coordinates off screen shows nothing).
      const plot = await canvas.evaluate((element) => ({ left: Number(element.dataset.plotLeft), width: Number(element.dataset.plotWidth) }));
      await canvas.scrollIntoViewIfNeeded();
      const hoverStarted = await page.evaluate(() => performance.now());
      // A pointer move that lands while the page re-renders (the first live refetch) can be lost: moved
      // again by a pixel, up to five times, before the benchmark gives up.
      for (let attempt = 0; ; attempt += 1) {
        await canvas.hover({ position: { x: plot.left + plot.width / 2 + attempt, y: 14 } });
        const shown = await page.getByRole('tooltip').waitFor({ timeout: 5_000 }).then(() => true, () => false);
        if (shown) break;
        if (attempt === 4) throw new Error('hovering the timeline never showed its tooltip');
      }
      const hoverDone = await page.evaluate(() => performance.now());
      // The first run warms the server's caches and compiled code; it is not counted.
      if (run > 0) {
        renderRuns.push(Math.round(drawnAt));
        breakdowns.push(breakdown);
        hoverRuns.push(Math.round(hoverDone - hoverStarted));
      }
      await page.close();
    }
    const renderMedian = median(renderRuns);
    return {
      figure: 'render',
      transitions: transitionsInRange,
      runs,
      renderMs: { median: renderMedian, runs: renderRuns },
      breakdownMs: Object.fromEntries(Object.keys(breakdowns[0] ?? {}).map((key) => [key, Math.round(median(breakdowns.map((b) => b[key]!)))])),
      hoverMs: { median: median(hoverRuns), runs: hoverRuns },
      target: { renderMs: 400 },
      met: renderMedian <= 400,
      conditions: 'lease page, range 24 h, 5,000 transitions, production build, Chromium headless 1440×900, server and browser on this machine; time from navigation start to the canvas timeline drawn with all segments',
    };
  } finally {
    await browser.close();
    // A server that already exited (a failed build, say) sends no second 'exit': waiting for one hung the benchmark.
    if (server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGINT');
      await exited;
    }
    await database.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
