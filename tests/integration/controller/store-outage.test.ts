import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loggerFor } from '../../../lib/log';
import { findFreePort, startEmbeddedPostgres, type EmbeddedDatabase } from '../../../lib/store/embedded-postgres';
import { migrate } from '../../../lib/store/migrate';
import { startFleet } from '../../../lib/sim';
import { fastDeriveOptions, fastProfile, query, startController, storedTransitions, targetsOf, waitFor } from './support';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

const leaseKey = `${fastProfile.namespace}/${fastProfile.leaseName}`;

describe('PostgreSQL restarted while the controller runs', () => {
  it('loses nothing: leadership changes during the outage are stored once it is back', { timeout: 60_000 }, async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'leasetrail-outage-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const log = loggerFor('outage-postgres');
    const port = await findFreePort();
    let database: EmbeddedDatabase = await startEmbeddedPostgres({ dataDir, port, log });
    cleanups.push(() => database.stop());
    await migrate(database.url);

    const fleet = await startFleet({ clusters: ['alpha'], leases: [fastProfile], candidates: 3, seed: 11, restartDelayMs: 300 });
    cleanups.push(() => fleet.stop());
    const controller = startController(database.url, targetsOf(fleet));
    cleanups.push(() => controller.stop());

    const first = await waitFor('a first leader', async () => fleet.leaderOf('alpha', leaseKey));
    await waitFor('the first leader stored', async () => (await storedTransitions(database.url, 'alpha', fastProfile.leaseName)).some((t) => t.toHolder === first));

    await database.stop();
    const acquisitions = () => fleet.groundTruth.changes({ cluster: 'alpha', name: fastProfile.leaseName }).filter((c) => c.cause !== 'released');
    const before = acquisitions().length;
    await fleet.crashLeader('alpha', leaseKey);
    await waitFor('a takeover during the outage', async () => acquisitions().length >= before + 1);
    await fleet.crashLeader('alpha', leaseKey);
    await waitFor('a second takeover during the outage', async () => acquisitions().length >= before + 2);

    database = await startEmbeddedPostgres({ dataDir, port, log });
    const truth = acquisitions();
    const stored = await waitFor('every takeover stored', async () => {
      const rows = (await storedTransitions(database.url, 'alpha', fastProfile.leaseName)).filter((t) => t.kind === 'acquired');
      return rows.length >= truth.length ? rows : undefined;
    });
    expect(stored.map((t) => [t.toHolder, t.leaseTransitions])).toEqual(truth.map((c) => [c.to, c.leaseTransitions]));
    expect(stored.slice(1).map((t) => t.cause)).toEqual(truth.slice(1).map(() => 'expiry'));
    expect(stored.every((t) => t.missedCount === 0)).toBe(true);
    expect(await query(database.url, `SELECT * FROM "ObservationGap"`)).toEqual([]);
  });

  it('past the bounded buffer records a gap and relists instead of dropping events silently', { timeout: 60_000 }, async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'leasetrail-overflow-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const log = loggerFor('overflow-postgres');
    const port = await findFreePort();
    let database: EmbeddedDatabase = await startEmbeddedPostgres({ dataDir, port, log });
    cleanups.push(() => database.stop());
    await migrate(database.url);

    const fleet = await startFleet({ clusters: ['alpha'], leases: [fastProfile], candidates: 3, seed: 12, restartDelayMs: 300 });
    cleanups.push(() => fleet.stop());
    const controller = startController(database.url, targetsOf(fleet), {
      watcher: {
        flushIntervalMs: 20,
        standbyRetryMs: 200,
        bufferLimit: 3,
        deriveOptions: fastDeriveOptions,
        reflector: { backoff: { initialMs: 50, maxMs: 500 }, watchdogMs: 3_000, minHealthyWatchMs: 100 },
      },
    });
    cleanups.push(() => controller.stop());

    const first = await waitFor('a first leader', async () => fleet.leaderOf('alpha', leaseKey));
    await waitFor('the first leader stored', async () => (await storedTransitions(database.url, 'alpha', fastProfile.leaseName)).some((t) => t.toHolder === first));

    const stoppedAt = Date.now();
    await database.stop();
    await fleet.crashLeader('alpha', leaseKey);
    const latest = await waitFor('a takeover during the outage', async () =>
      fleet.groundTruth.changes({ cluster: 'alpha', name: fastProfile.leaseName }).find((c) => c.cause !== 'released' && c.from === first),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    database = await startEmbeddedPostgres({ dataDir, port, log });
    const restartedAt = Date.now();

    const gaps = await waitFor('the overflow recorded as a gap', async () => {
      const rows = await query<{ reason: string; startedAt: Date; endedAt: Date | null }>(database.url, `SELECT reason::text, "startedAt", "endedAt" FROM "ObservationGap"`);
      return rows.length > 0 && rows.every((g) => g.endedAt !== null) ? rows : undefined;
    });
    expect(gaps.map((g) => g.reason)).toEqual(['store_overflow']);
    expect(gaps[0]!.startedAt.getTime()).toBeGreaterThanOrEqual(stoppedAt - 1_000);
    expect(gaps[0]!.endedAt!.getTime()).toBeGreaterThanOrEqual(restartedAt);

    const rows = await waitFor('the current holder stored after the relist', async () => {
      const all = await storedTransitions(database.url, 'alpha', fastProfile.leaseName);
      return all.find((t) => t.kind === 'acquired' && t.toHolder === fleet.leaderOf('alpha', leaseKey)) ? all : undefined;
    });
    const current = rows.filter((t) => t.kind === 'acquired').at(-1)!;
    expect(current.leaseTransitions).toBeGreaterThanOrEqual(latest.leaseTransitions);
    expect(current.cause).toBe('unknown');
  });
});
