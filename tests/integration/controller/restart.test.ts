import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFleet } from '../../../lib/sim';
import { createMigratedDatabase } from '../helpers/database';
import { killProcess, startControllerProcess, type Started } from '../helpers/processes';
import { fastProfile, query, storedTransitions, waitFor } from './support';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

const leaseKey = `${fastProfile.namespace}/${fastProfile.leaseName}`;

describe('the controller killed with SIGKILL and started again', () => {
  it('writes nothing twice, records its downtime as a gap, and attributes the change it missed to unknown', { timeout: 90_000 }, async () => {
    const db = await createMigratedDatabase('restart');
    cleanups.push(db.drop);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'leasetrail-restart-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const kubeconfig = path.join(dir, 'kubeconfig');
    const fleet = await startFleet({ clusters: ['alpha'], leases: [fastProfile], candidates: 3, seed: 9, restartDelayMs: 300, kubeconfigPath: kubeconfig });
    cleanups.push(() => fleet.stop());

    const env = { DATABASE_URL: db.url, KUBECONFIG: kubeconfig, LEASETRAIL_SIMULATE: 'never', LOG_LEVEL: 'warn', LEASETRAIL_DATA_DIR: dir };
    const run = async (): Promise<Started> => {
      const started = await startControllerProcess(env, ['alpha'], 30_000);
      cleanups.push(() => killProcess(started));
      return started;
    };

    const first = await run();
    const leader = await waitFor('a first leader', async () => fleet.leaderOf('alpha', leaseKey));
    await waitFor('the first leader stored', async () => (await storedTransitions(db.url, 'alpha', fastProfile.leaseName)).some((t) => t.toHolder === leader));
    await waitFor('renewals stored', async () => (await query<{ n: number }>(db.url, `SELECT count(*)::int AS n FROM "RenewSample"`))[0]!.n >= 3);
    first.child.kill('SIGKILL');
    await first.exited;
    const killedAt = Date.now();

    const acquisitions = () => fleet.groundTruth.changes({ cluster: 'alpha', name: fastProfile.leaseName }).filter((c) => c.cause !== 'released');
    const before = acquisitions().length;
    await fleet.crashLeader('alpha', leaseKey);
    const latest = await waitFor('a takeover while the controller is down', async () => (acquisitions().length > before ? acquisitions().at(-1) : undefined));

    await run();
    const rows = await waitFor('the new holder stored', async () => {
      const all = await storedTransitions(db.url, 'alpha', fastProfile.leaseName);
      return all.some((t) => t.toHolder === latest.to) ? all : undefined;
    });
    const missed = rows.find((t) => t.toHolder === latest.to)!;
    expect(missed.cause).toBe('unknown');
    expect(missed.leaseTransitions).toBe(latest.leaseTransitions);

    const duplicates = await query(db.url, `SELECT "leaseId", "eventKey", count(*) FROM "Transition" GROUP BY 1, 2 HAVING count(*) > 1`);
    expect(duplicates).toEqual([]);
    const acquired = rows.filter((t) => t.kind === 'acquired');
    expect(new Set(acquired.map((t) => t.leaseTransitions)).size).toBe(acquired.length);

    const gaps = await query<{ reason: string; startedAt: Date; endedAt: Date | null }>(db.url, `SELECT reason::text, "startedAt", "endedAt" FROM "ObservationGap"`);
    expect(gaps.map((g) => g.reason)).toEqual(['controller_down']);
    expect(gaps[0]!.startedAt.getTime()).toBeLessThanOrEqual(killedAt);
    expect(gaps[0]!.endedAt!.getTime()).toBeGreaterThan(killedAt);
  });
});
