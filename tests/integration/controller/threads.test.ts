import { afterEach, describe, expect, it } from 'vitest';
import type { Controller } from '../../../lib/kube/controller';
import type { WatcherStatus } from '../../../lib/kube/cluster-controller';
import type { StoredTransition } from '../../../lib/store/ingest';
import { startFleet, type Fleet } from '../../../lib/sim';
import { createMigratedDatabase, type MigratedDatabase } from '../helpers/database';
import { fastProfile, query, startController, targetsOf, waitFor } from './support';

let fleet: Fleet | undefined;
let controller: Controller | undefined;
let db: MigratedDatabase | undefined;

afterEach(async () => {
  await controller?.stop();
  await fleet?.stop();
  await db?.drop();
  controller = fleet = db = undefined;
});

describe('a controller spreading its clusters over threads', () => {
  // Each thread compiles the controller through tsx when it starts: with tsx's cache cold (a fresh clone) on a
  // loaded 2-core machine, both threads compiling at once took 25 s here and over 60 s in CI. So the test first
  // waits for both threads to report (a wide bound: compiling is not what it tests), then for the data.
  it('stores every cluster, reports statuses and transitions on the main thread, and stops cleanly', { timeout: 300_000 }, async () => {
    db = await createMigratedDatabase('threads');
    fleet = await startFleet({ clusters: ['alpha', 'beta', 'gamma'], leases: [fastProfile], candidates: 2, seed: 11, restartDelayMs: null });
    const statuses = new Map<string, WatcherStatus['state']>();
    const transitions: Array<[string, StoredTransition[]]> = [];
    controller = startController(db.url, targetsOf(fleet), { threads: 2 });
    controller.on('status', (cluster, status) => statuses.set(cluster, status.state));
    controller.on('transitions', (cluster, rows) => transitions.push([cluster, rows]));

    await waitFor('both threads started and reporting every cluster', async () => (statuses.size === 3 ? true : undefined), 180_000);
    const stored = await waitFor('a leader stored in every cluster', async () => {
      const rows = await query<{ cluster: string }>(db!.url, `SELECT DISTINCT c.name AS cluster FROM "Transition" t JOIN "Cluster" c ON c.id = t."clusterId" WHERE t.kind = 'acquired'`);
      return rows.length === 3 ? rows : undefined;
    }, 60_000);
    expect(stored.map((row) => row.cluster).sort()).toEqual(['alpha', 'beta', 'gamma']);
    await waitFor('every cluster connected', async () => (['alpha', 'beta', 'gamma'].every((name) => controller!.status(name)?.state === 'connected') ? true : undefined));
    expect([...statuses.values()]).toEqual(['connected', 'connected', 'connected']);
    await waitFor('transitions re-emitted on the main thread', async () => (new Set(transitions.map(([cluster]) => cluster)).size === 3 ? true : undefined));
    expect(transitions[0]![1][0]).toMatchObject({ kind: 'acquired', namespace: 'kube-system', name: 'fast-operator' });

    // Two owner sessions, one per thread: each holds the advisory locks of its own clusters.
    const sessions = await query<{ n: number }>(db.url, `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name LIKE 'leasetrail-controller %'`);
    expect(sessions[0]!.n).toBe(2);

    await controller.stop();
    controller = undefined;
    const after = await query<{ n: number }>(db.url, `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name LIKE 'leasetrail-controller %'`);
    expect(after[0]!.n).toBe(0);
  });
});
