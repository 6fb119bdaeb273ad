import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as previewRoute from '../../../app/api/alert-rules/preview/route';
import { BudgetExceededError, ClientGoneError } from '../../../lib/errors';
import { getHeavyGate } from '../../../lib/http/heavy-reads';
import { previewRule } from '../../../lib/server/alerts/preview-rule';
import { createPreviewPool, getPreviewPool, previewWorkerFile } from '../../../lib/server/preview-pool';
import { createMigratedDatabase, type MigratedDatabase } from '../helpers/database';
import { pointRoutesAtStore } from '../helpers/routes';
import { seedCluster, seedFlappingFleet } from '../helpers/seed';

// A rule preview over a day of a flapping fleet (240,000 changes of leader) runs in a worker thread: the
// main thread's event loop stays free for health and the live stream while it replays, and a client that
// goes away stops it and frees its heavy slot.

let db: MigratedDatabase;
let restore: () => void;
const leases = 8;
const perLease = 30_000;

const body = { kind: 'flapping', params: { transitions: 3, windowSeconds: 600 }, hours: 24, clusterPattern: 'flapping' };
const post = (signal?: AbortSignal) =>
  previewRoute.POST(new Request('http://localhost/api/alert-rules/preview', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal }));

beforeAll(async () => {
  db = await createMigratedDatabase('preview_worker');
  restore = pointRoutesAtStore(db.store);
  const cluster = await seedCluster(db.store, 'flapping');
  await seedFlappingFleet(db.store, cluster, { leases, perLease, everySeconds: 2.8, end: new Date(Date.now() - 60_000) });
  await db.store.pool.query('ANALYZE "Transition"');
}, 60_000);

afterAll(async () => {
  restore();
  await db.drop();
});

describe('the rule preview off the main thread', () => {
  it('replays in the worker pool while the main event loop stays idle, with the answer the in-process replay gives', { timeout: 60_000 }, async () => {
    const pool = getPreviewPool();
    const before = pool.stats().completed;
    const utilization = performance.eventLoopUtilization();
    const started = performance.now();
    const response = await post();
    const elapsedMs = performance.now() - started;
    const busy = performance.eventLoopUtilization(utilization);
    expect(response.status).toBe(200);
    const answer = (await response.json()) as { firings: number; subjects: number; alerts: unknown[] };
    expect(answer.subjects).toBe(leases);
    // The main thread only passed the input and the answer: replaying 240,000 changes here kept it busy
    // nearly the whole time (utilization ~1).
    expect(busy.utilization, `main loop busy ${Math.round(busy.active)} of ${Math.round(elapsedMs)} ms`).toBeLessThan(0.5);
    expect(pool.stats().completed).toBe(before + 1);

    const inProcess = await previewRule(db.store, {
      ...body,
      kind: 'flapping',
      namespacePattern: '*',
      namePattern: '*',
      excludePatterns: [],
      forSeconds: 0,
      quietSeconds: 300,
      now: new Date(),
    }, { budgetMs: 60_000, clock: () => performance.now() });
    expect({ firings: answer.firings, subjects: answer.subjects }).toEqual({ firings: inProcess.firings, subjects: inProcess.subjects });
  });

  it('stops a running preview when its client goes away and frees the heavy slot', { timeout: 60_000 }, async () => {
    const pool = getPreviewPool();
    const client = new AbortController();
    const answer = post(client.signal);
    // Cancelled once it is running in the worker, not while it waits in the queue.
    for (let tries = 0; pool.stats().busy === 0 && tries < 2_000; tries += 1) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(pool.stats().busy).toBe(1);
    client.abort();
    const response = await answer;
    expect(response.status).toBe(499);
    expect(((await response.json()) as { error: string }).error).toBe('the preview was cancelled: its client went away');
    expect(getHeavyGate().running()).toBe(0);
    expect(pool.stats()).toMatchObject({ busy: 0, queued: 0 });
    // The worker's connection went back to its pool: the next preview is served.
    expect((await post()).status).toBe(200);
  });

  it('drops a queued preview whose client went away without running it', { timeout: 60_000 }, async () => {
    const pool = createPreviewPool({ file: previewWorkerFile(), threads: 1, maxHeapMb: 256 });
    try {
      const input = { kind: 'flapping' as const, params: { transitions: 3, windowSeconds: 600 }, clusterPattern: '*', namespacePattern: '*', namePattern: '*', excludePatterns: [], forSeconds: 0, quietSeconds: 0, hours: 24, now: new Date() };
      const first = pool.run(db.url, input);
      const client = new AbortController();
      const second = pool.run(db.url, input, client.signal);
      expect(pool.stats()).toMatchObject({ busy: 1, queued: 1 });
      client.abort();
      await expect(second).rejects.toBeInstanceOf(ClientGoneError);
      expect(pool.stats().queued).toBe(0);
      expect((await first).subjects).toBe(leases);
      expect(pool.stats()).toMatchObject({ started: 1, completed: 1, busy: 0 });
    } finally {
      await pool.close();
    }
  });

  it('answers 503-kind when a thread runs out of its heap cap (24 MB here: loading or replaying), and starts a new thread for the next preview', { timeout: 60_000 }, async () => {
    const pool = createPreviewPool({ file: previewWorkerFile(), threads: 1, maxHeapMb: 24 });
    try {
      const input = { kind: 'flapping' as const, params: { transitions: 3, windowSeconds: 600 }, clusterPattern: '*', namespacePattern: '*', namePattern: '*', excludePatterns: [], forSeconds: 0, quietSeconds: 0, hours: 24, now: new Date() };
      const refused = await pool.run(db.url, input).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(BudgetExceededError);
      expect((refused as Error).message).toBe('the preview needed more than its 24 MB of memory: choose fewer hours or narrower patterns');
      await expect(pool.run(db.url, input)).rejects.toBeInstanceOf(BudgetExceededError);
      expect(pool.stats()).toMatchObject({ started: 2, completed: 2, busy: 0, queued: 0 });
    } finally {
      await pool.close();
    }
  });

  it('starts its threads from lib/server/preview-worker.cjs when run from source', () => {
    expect(previewWorkerFile()).toBe(path.join(process.cwd(), 'lib', 'server', 'preview-worker.cjs'));
  });
});
