import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFleet } from '../../../lib/sim';
import { createMigratedDatabase } from '../helpers/database';
import { killProcess, startControllerProcess, type Started } from '../helpers/processes';
import { fastProfile, query, waitFor } from './support';

// Three controller replicas (real processes) over twelve simulated clusters: they share the clusters
// evenly, take over those of a replica that dies within one ownership lease, and store the handover
// as a gap. Ownership is visible in Cluster.ownerInstance.

const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

const clusterNames = Array.from({ length: 12 }, (_, index) => `c${String(index + 1).padStart(2, '0')}`);
const ownershipLeaseSeconds = 1;

type Owner = { name: string; ownerInstance: string | null; pid: number | null };

describe('three controller replicas over twelve clusters', () => {
  it('share them evenly, take over a dead replica’s clusters within one ownership lease, and store the handover as a gap', { timeout: 180_000 }, async () => {
    const db = await createMigratedDatabase('replicas');
    cleanups.push(db.drop);
    const fleet = await startFleet({ clusters: clusterNames, leases: [fastProfile], candidates: 1, seed: 21, restartDelayMs: 300 });
    cleanups.push(() => fleet.stop());
    const folder = mkdtempSync(path.join(os.tmpdir(), 'leasetrail-replicas-'));
    cleanups.push(() => rmSync(folder, { recursive: true, force: true }));
    const kubeconfig = await fleet.writeKubeconfig(path.join(folder, 'kubeconfig'));
    const env = { DATABASE_URL: db.url, KUBECONFIG: kubeconfig, LEASETRAIL_SIMULATE: 'never', LEASETRAIL_OWNERSHIP_LEASE_SECONDS: String(ownershipLeaseSeconds), LOG_LEVEL: 'warn' };
    const replicas: Started[] = await Promise.all([0, 1, 2].map(() => startControllerProcess(env, clusterNames)));
    for (const replica of replicas) cleanups.push(() => killProcess(replica));

    // Owners are the live sessions holding each cluster's advisory lock; ownerInstance names them.
    const owners = () =>
      query<Owner>(
        db.url,
        `SELECT c.name, c."ownerInstance", a.pid FROM "Cluster" c
           LEFT JOIN pg_locks l ON l.locktype = 'advisory' AND l.classid = ${0x4c54} AND l.objid = (hashtext(c.name)::bigint & 4294967295)::oid AND l.objsubid = 2 AND l.granted
           LEFT JOIN pg_stat_activity a ON a.pid = l.pid ORDER BY c.name`,
      );
    const countsByOwner = (rows: Owner[]) => {
      const counts = new Map<string, number>();
      for (const row of rows) if (row.pid !== null && row.ownerInstance) counts.set(row.ownerInstance, (counts.get(row.ownerInstance) ?? 0) + 1);
      return counts;
    };
    const isBalanced = (rows: Owner[], replicaCount: number) => {
      const counts = countsByOwner(rows);
      const share = Math.ceil(clusterNames.length / replicaCount);
      return rows.length === clusterNames.length && rows.every((row) => row.pid !== null) && counts.size === replicaCount && [...counts.values()].every((count) => count <= share);
    };

    const balanced = await waitFor('twelve clusters spread over three replicas', async () => {
      const rows = await owners();
      return isBalanced(rows, 3) ? rows : undefined;
    }, 60_000);
    expect([...countsByOwner(balanced).values()].sort()).toEqual([4, 4, 4]);

    // Kill the replica that owns c01, as a crash would: no release, its session just ends.
    const [victimOwner] = balanced.filter((row) => row.name === 'c01').map((row) => row.ownerInstance);
    const victimClusters = balanced.filter((row) => row.ownerInstance === victimOwner).map((row) => row.name);
    const victim = replicas.find((replica) => victimOwner?.includes(`-${replica.child.pid}-`))!;
    expect(victim).toBeDefined();
    const killedAt = Date.now();
    await killProcess(victim);
    const after = await waitFor('the dead replica’s clusters taken over', async () => {
      const rows = await owners();
      return isBalanced(rows, 2) ? rows : undefined;
    }, 30_000);
    const takeoverMs = Date.now() - killedAt;
    // One ownership lease for the standby replicas to notice, plus the relist that resumes watching.
    expect(takeoverMs).toBeLessThan((ownershipLeaseSeconds + 4) * 1000);
    expect([...countsByOwner(after).values()].sort()).toEqual([6, 6]);
    for (const name of victimClusters) expect(after.find((row) => row.name === name)?.ownerInstance).not.toBe(victimOwner);

    const gaps = await waitFor('the handover stored as gaps', async () => {
      const rows = await query<{ name: string; reason: string; detail: string | null; endedAt: Date | null }>(
        db.url,
        `SELECT c.name, g.reason::text, g.detail, g."endedAt" FROM "ObservationGap" g JOIN "Cluster" c ON c.id = g."clusterId" WHERE g."startedAt" >= $1::timestamptz - interval '10 seconds'`,
        [new Date(killedAt)],
      );
      return victimClusters.every((name) => rows.some((row) => row.name === name && row.endedAt !== null)) ? rows : undefined;
    });
    for (const name of victimClusters) expect(gaps.find((row) => row.name === name)).toMatchObject({ reason: 'controller_down', detail: expect.stringContaining(victimOwner!) });
  });
});
