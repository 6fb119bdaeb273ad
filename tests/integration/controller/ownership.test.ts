import { afterEach, describe, expect, it } from 'vitest';
import { startFleet } from '../../../lib/sim';
import { createMigratedDatabase } from '../helpers/database';
import { fastProfile, query, startController, storedTransitions, targetsOf, waitFor } from './support';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

const leaseKey = `${fastProfile.namespace}/${fastProfile.leaseName}`;

describe('two controllers against one database', () => {
  it('let exactly one write a cluster; the other takes over when the owner loses its session', { timeout: 60_000 }, async () => {
    const db = await createMigratedDatabase('owners');
    cleanups.push(db.drop);
    const fleet = await startFleet({ clusters: ['alpha'], leases: [fastProfile], candidates: 3, seed: 31, restartDelayMs: 300 });
    cleanups.push(() => fleet.stop());

    const one = startController(db.url, targetsOf(fleet));
    cleanups.push(() => one.stop());
    await waitFor('the first controller connected', async () => one.status('alpha')?.state === 'connected');
    const two = startController(db.url, targetsOf(fleet));
    cleanups.push(() => two.stop());
    await waitFor('the second controller standing by', async () => two.status('alpha')?.state === 'standby');

    const lockOwner = async () => {
      const rows = await query<{ pid: number; application_name: string }>(
        db.url,
        `SELECT l.pid, a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
          WHERE l.locktype = 'advisory' AND l.classid = ${0x4c54} AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      );
      expect(rows.length).toBeLessThanOrEqual(1);
      return rows[0];
    };
    const first = await lockOwner();
    expect(first?.application_name).toBe(`leasetrail-controller ${one.instanceId}`);

    // Cut the owner's database session: its lock goes with it, and it may write again only if it wins the lock back.
    await query(db.url, 'SELECT pg_terminate_backend($1)', [first!.pid]);
    const owner = await waitFor('a new lock owner', async () => {
      const current = await lockOwner();
      return current && current.pid !== first!.pid ? current : undefined;
    });
    const [winner, loser] = owner.application_name === `leasetrail-controller ${one.instanceId}` ? [one, two] : [two, one];
    await waitFor('the winner connected and the loser standing by', async () => winner.status('alpha')?.state === 'connected' && loser.status('alpha')?.state === 'standby');

    // The owner stops: the other instance takes the cluster over.
    await winner.stop();
    await waitFor('the other controller took over', async () => loser.status('alpha')?.state === 'connected');
    expect((await lockOwner())?.application_name).toBe(`leasetrail-controller ${loser.instanceId}`);

    const before = fleet.groundTruth.changes({ cluster: 'alpha', name: fastProfile.leaseName }).length;
    await fleet.crashLeader('alpha', leaseKey);
    const latest = await waitFor('a takeover', async () => {
      const changes = fleet.groundTruth.changes({ cluster: 'alpha', name: fastProfile.leaseName }).filter((c) => c.cause !== 'released');
      return changes.length > 0 && fleet.groundTruth.changes({ cluster: 'alpha', name: fastProfile.leaseName }).length > before ? changes.at(-1) : undefined;
    });
    await waitFor('the takeover stored by the new owner', async () => (await storedTransitions(db.url, 'alpha', fastProfile.leaseName)).some((t) => t.toHolder === latest.to));
    const duplicates = await query(db.url, `SELECT "leaseId", "eventKey" FROM "Transition" GROUP BY 1, 2 HAVING count(*) > 1`);
    expect(duplicates).toEqual([]);
    const lockHolders = await query(db.url, `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = ${0x4c54} AND granted`);
    expect(lockHolders).toHaveLength(1);
  });
});
