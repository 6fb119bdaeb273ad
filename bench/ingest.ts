import os from 'node:os';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { changesChannel, type ChangeNotice } from '../lib/changes/notice';
import { cpuSecondsOfTree, postmasterPid, startRig, stopProcess, waitForLeasesStored } from './processes';

export type IngestResult = {
  figure: 'ingest';
  updates: number;
  clusters: number;
  leases: number;
  threads: number;
  pipeline: { seconds: number; perSecond: number };
  copy: { seconds: number; perSecond: number };
  ratio: number;
  cpuSeconds: { controller: number; postgres: number; source: number; wall: number };
  // Rows PostgreSQL inserted and updated per table while the backlog was ingested.
  rowWrites: Record<string, { inserted: number; updated: number }>;
  stagingMs: number;
  target: { perSecond: number; ratio: number };
  met: boolean;
  conditions: string;
};

export type IngestOptions = { clusters?: number; leasesPerCluster?: number; updates?: number; threads?: number };

// Lease updates/s end to end at saturation: the simulated API servers hold a backlog of renewals on
// open watches, then release it at once; the real controller (its own process) reads the HTTP watch
// streams, derives and commits. The clock stops when PostgreSQL has committed the last renew sample.
// Then the very same rows are loaded again with one plain binary COPY into the same table: the limit.
export async function benchIngest(options: IngestOptions = {}): Promise<IngestResult> {
  const clusters = options.clusters ?? 10;
  const leasesPerCluster = options.leasesPerCluster ?? 10_000;
  const updates = options.updates ?? 300_000;
  const threads = options.threads ?? Math.min(2, os.availableParallelism());
  // The backlog waits on open watches, not in the API servers' history (a million stored events would
  // fill the source's heap); the watches outlive the benchmark, so nothing needs to resume from history.
  const rig = await startRig('ingest', { clusters, leasesPerCluster, historySize: 1_000 });
  const { client, database, source, ready } = rig;
  try {
    const controller = rig.startController({ LEASETRAIL_CONTROLLER_THREADS: String(threads) });
    const count = async (table: string) => Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM "${table}"`)).rows[0]!.n);
    // The first list stores every lease with its current renewal; the benchmark starts after it.
    await waitForLeasesStored(client, controller, ready.leases, true);

    source.send({ type: 'stage', updates });
    const staged = await source.next('staged');
    // While the backlog is held the watches are silent, and the controller's watchdog (30 s) replaces a
    // silent watch: the held events would then be lost to a relist. Staging must finish well before.
    if (staged.ms > 25_000) throw new Error(`staging ${updates} updates took ${staged.ms} ms, too close to the controller's 30 s watchdog; use fewer updates`);

    let stored = 0;
    let lastCommitAt = 0;
    const allStored = new Promise<void>((resolve) => {
      client.on('notification', (message) => {
        const notice = JSON.parse(message.payload ?? '{}') as ChangeNotice;
        stored += notice.renewals ?? 0;
        lastCommitAt = Date.now();
        if (stored >= updates) resolve();
      });
    });
    await client.query(`LISTEN ${changesChannel}`);
    const tableStats = async () => {
      const { rows } = await client.query<{ relname: string; ins: string; upd: string }>(
        `SELECT relname, n_tup_ins AS ins, n_tup_upd AS upd FROM pg_stat_user_tables WHERE relname IN ('Lease', 'Transition', 'RenewSample', 'Cluster')`,
      );
      return Object.fromEntries(rows.map((row) => [row.relname, { inserted: Number(row.ins), updated: Number(row.upd) }]));
    };
    const statsBefore = await tableStats();
    const pgPid = postmasterPid(database.dataDir);
    const cpuBefore = { controller: cpuSecondsOfTree(controller.pid!), postgres: cpuSecondsOfTree(pgPid), source: cpuSecondsOfTree(source.pid) };
    source.send({ type: 'release' });
    const releasing = await source.next('releasing');
    await Promise.race([allStored, new Promise((_, reject) => setTimeout(() => reject(new Error(`only ${stored} of ${updates} renew samples stored after 10 minutes`)), 600_000))]);
    const seconds = (lastCommitAt - releasing.at) / 1_000;
    const cpuSeconds = {
      controller: round(cpuSecondsOfTree(controller.pid!) - cpuBefore.controller, 1),
      postgres: round(cpuSecondsOfTree(pgPid) - cpuBefore.postgres, 1),
      source: round(cpuSecondsOfTree(source.pid) - cpuBefore.source, 1),
      wall: round(seconds, 1),
    };
    await client.query('SELECT pg_stat_force_next_flush()');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const statsAfter = await tableStats();
    const rowWrites = Object.fromEntries(
      Object.entries(statsAfter).map(([table, after]) => [table, { inserted: after.inserted - (statsBefore[table]?.inserted ?? 0), updated: after.updated - (statsBefore[table]?.updated ?? 0) }]),
    );
    await client.query('DELETE FROM "RenewSample" WHERE "renewTime" = (SELECT min("renewTime") FROM "RenewSample")');
    const rows = await count('RenewSample');
    if (rows !== updates) throw new Error(`expected ${updates} renew samples, found ${rows}`);
    await stopProcess(controller);

    // The limit: the same rows, exported and loaded back with one binary COPY into the same table.
    const chunks: Buffer[] = [];
    await pipeline(
      client.query(copyTo('COPY (SELECT * FROM "RenewSample") TO STDOUT (FORMAT binary)')),
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          chunks.push(chunk);
          done();
        },
      }),
    );
    await client.query('TRUNCATE "RenewSample"');
    await client.query('CHECKPOINT');
    const copyStarted = performance.now();
    await client.query('BEGIN');
    await pipeline(Readable.from(chunks), client.query(copyFrom('COPY "RenewSample" FROM STDIN (FORMAT binary)')));
    await client.query('COMMIT');
    const copySeconds = (performance.now() - copyStarted) / 1_000;
    if ((await count('RenewSample')) !== updates) throw new Error('the COPY baseline did not load every row');

    const perSecond = Math.round(updates / seconds);
    const copyPerSecond = Math.round(updates / copySeconds);
    const ratio = round(perSecond / copyPerSecond, 2);
    return {
      figure: 'ingest',
      updates,
      clusters,
      leases: clusters * leasesPerCluster,
      threads,
      pipeline: { seconds: round(seconds, 2), perSecond },
      copy: { seconds: round(copySeconds, 2), perSecond: copyPerSecond },
      ratio,
      cpuSeconds,
      rowWrites,
      stagingMs: staged.ms,
      target: { perSecond: 100_000, ratio: 0.5 },
      met: perSecond >= 100_000 && ratio >= 0.5,
      conditions:
        `${updates.toLocaleString('en')} Lease renewals over ${clusters} simulated clusters × ${leasesPerCluster.toLocaleString('en')} leases, held as a backlog on open HTTP watches and released at once; ` +
        `the controller runs as its own process (npm run controller, LEASETRAIL_CONTROLLER_THREADS=${threads}); time from release to the commit of the last renew sample (LISTEN/NOTIFY); ` +
        'baseline: the same rows exported and loaded back with one binary COPY into the same table, indexes included; embedded PostgreSQL 18 with default settings on this machine',
    };
  } finally {
    await rig.stop();
  }
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
