import { fork, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loggerFor } from '../lib/log';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../lib/store/embedded-postgres';
import { migrate } from '../lib/store/migrate';
import type { SourceCommand, SourceReply } from './ingest-source';

const ticksPerSecond = 100;

type ProcStat = { ppid: number; cpuSeconds: number; rssBytes: number };

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces or parentheses: the fields start after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), cpuSeconds: (Number(fields[11]) + Number(fields[12])) / ticksPerSecond, rssBytes: Number(fields[21]) * 4096 };
  } catch {
    return undefined;
  }
}

// A process and all its descendants (a postmaster with its backends, a launcher with its server).
function statsOfTree(rootPid: number): ProcStat[] {
  const children = new Map<number, number[]>();
  const stats = new Map<number, ProcStat>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const stat = readStat(pid);
    if (!stat) continue;
    stats.set(pid, stat);
    children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), pid]);
  }
  const tree: ProcStat[] = [];
  const pending = [rootPid];
  while (pending.length > 0) {
    const pid = pending.pop()!;
    const stat = stats.get(pid);
    if (stat) tree.push(stat);
    pending.push(...(children.get(pid) ?? []));
  }
  return tree;
}

// CPU seconds a process and all its descendants used so far.
export function cpuSecondsOfTree(rootPid: number): number {
  return statsOfTree(rootPid).reduce((sum, stat) => sum + stat.cpuSeconds, 0);
}

export function rssBytesOfTree(rootPid: number): number {
  return statsOfTree(rootPid).reduce((sum, stat) => sum + stat.rssBytes, 0);
}

export function rssBytes(pid: number): number {
  return readStat(pid)?.rssBytes ?? 0;
}

export function postmasterPid(clusterDir: string): number {
  return Number.parseInt(readFileSync(path.join(clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0] ?? '', 10);
}

// The benchmark's Lease source (bench/ingest-source.ts) in its own process.
export class Source {
  private readonly child: ChildProcess;
  private readonly waiting: Array<{ type: SourceReply['type']; resolve: (reply: SourceReply) => void; reject: (error: Error) => void }> = [];

  constructor(options: { clusters: number; leasesPerCluster: number; kubeconfig: string; historySize: number; tls?: boolean }) {
    this.child = fork(path.join('bench', 'ingest-source.ts'), [JSON.stringify(options)], { execArgv: ['--import', 'tsx', ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', path.join(process.env.BENCH_CPU_PROF, 'source')] : [])], env: { ...process.env, LOG_LEVEL: 'warn' } });
    this.child.on('message', (reply: SourceReply) => {
      if (reply.type === 'error') {
        for (const waiter of this.waiting.splice(0)) waiter.reject(new Error(`bench source: ${reply.message}`));
        return;
      }
      const index = this.waiting.findIndex((waiter) => waiter.type === reply.type);
      if (index >= 0) this.waiting.splice(index, 1)[0]!.resolve(reply);
    });
    this.child.on('exit', (code) => {
      for (const waiter of this.waiting.splice(0)) waiter.reject(new Error(`bench source exited with ${code}`));
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  // Only replies after this call: ask before sending the command (or before the source can be ready).
  next<T extends SourceReply['type']>(type: T): Promise<Extract<SourceReply, { type: T }>> {
    return new Promise((resolve, reject) => this.waiting.push({ type, resolve: resolve as (reply: SourceReply) => void, reject }));
  }

  send(command: SourceCommand): void {
    this.child.send(command);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.send({ type: 'stop' });
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

// The controller's production bundle (what `npm run build` puts in dist/), built once per benchmark run
// inside the project so it finds node_modules; prisma/migrations is linked beside it as in the artefact.
const bundleDir = path.resolve('.bench-bundle');
let bundled: Promise<void> | undefined;

export function buildControllerBundle(): Promise<void> {
  bundled ??= (async () => {
    await rm(bundleDir, { recursive: true, force: true });
    await mkdir(bundleDir, { recursive: true });
    // @ts-expect-error -- a plain .mjs script without types
    const { bundleEntries } = (await import('../scripts/build.mjs')) as { bundleEntries: (outdir: string) => Promise<void> };
    await bundleEntries(path.join(bundleDir, 'dist'));
    await symlink(path.resolve('prisma'), path.join(bundleDir, 'prisma'));
  })();
  return bundled;
}

// `npm run controller` as a child process: the real controller, as production runs it (the bundle;
// BENCH_CONTROLLER=tsx runs the TypeScript sources through tsx instead, as before the bundle).
export function startController(env: Record<string, string>): ChildProcess {
  // BENCH_CPU_PROF=<dir> writes a V8 CPU profile of the controller there when it stops.
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : [];
  // BENCH_CONTROLLER_NODE_ARGS: V8/Node flags to try on the controller (space-separated).
  const extra = process.env.BENCH_CONTROLLER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  // BENCH_HEAP_SNAPSHOT=<dir>: SIGUSR2 makes the controller write a heap snapshot there (the memory benchmark sends it).
  if (process.env.BENCH_HEAP_SNAPSHOT) {
    mkdirSync(process.env.BENCH_HEAP_SNAPSHOT, { recursive: true });
    extra.push('--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${process.env.BENCH_HEAP_SNAPSHOT}`);
  }
  const entry = process.env.BENCH_CONTROLLER === 'tsx' ? ['--import', 'tsx', path.join('scripts', 'controller.ts')] : [path.join(bundleDir, 'dist', 'controller.cjs')];
  // BENCH_CONTROLLER_LOG=<dir>: the controller's log (warnings and errors) to <dir>/controller-<time>.log instead of nowhere.
  const logDir = process.env.BENCH_CONTROLLER_LOG;
  if (logDir) mkdirSync(logDir, { recursive: true });
  const log = logDir ? openSync(path.join(logDir, `controller-${new Date().toISOString().replace(/[:.]/g, '-')}.log`), 'a') : 'ignore';
  try {
    return spawn(process.execPath, [...profile, ...extra, ...entry], {
      env: { ...process.env, LEASETRAIL_SIMULATE: 'never', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', log, 'inherit'],
    });
  } finally {
    // The child has its own copy of the descriptor.
    if (typeof log === 'number') closeSync(log);
  }
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

export async function until(what: string, check: () => Promise<boolean>, timeoutMs: number, everyMs = 250): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

// The production web tier (the launcher builds the artefact when stale) without a controller of its own.
export function startWebServer(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [path.join('scripts', 'launch.mjs'), 'start'], {
    env: { ...process.env, NODE_ENV: 'production', LEASETRAIL_CONTROLLER: 'off', LOG_LEVEL: 'warn', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

export async function waitForHealthy(url: string, child: ChildProcess, timeoutMs = 300_000): Promise<void> {
  await until(
    `${url}/api/health`,
    async () => {
      if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
      return fetch(`${url}/api/health`).then(
        (response) => response.ok,
        () => false,
      );
    },
    timeoutMs,
  );
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const stallWithoutProgressMs = 120_000;

// Waits until the controller has stored `leases` leases (and, when asked, one renew sample each);
// fails at once if the controller process died instead.
export async function waitForLeasesStored(client: { query: (sql: string) => Promise<{ rows: Array<Record<string, unknown>> }> }, controller: ChildProcess, leases: number, withSamples = false): Promise<void> {
  const count = async (table: string) => Number((await client.query(`SELECT count(*) AS n FROM "${table}"`)).rows[0]!.n);
  let stored = 0;
  let progressAt = Date.now();
  // A run that times out says how far it got; one that stops making progress for 2 minutes fails then, not at the bound.
  await until(
    `the controller to store ${leases} leases`,
    async () => {
      if (controller.exitCode !== null || controller.signalCode !== null) throw new Error(`the controller exited (${controller.exitCode ?? controller.signalCode}) before storing every lease`);
      const now = await count('Lease');
      if (now !== stored) progressAt = Date.now();
      stored = now;
      if (stored < leases && Date.now() - progressAt > stallWithoutProgressMs) throw new Error(`no lease stored for ${stallWithoutProgressMs / 1_000} s while waiting for the controller to store ${leases} leases`);
      return stored === leases && (!withSamples || (await count('RenewSample')) === leases);
    },
    600_000,
    500,
  ).catch((error: unknown) => {
    throw new Error(`${(error as Error).message} (${stored} stored)`);
  });
}

// What the ingest, latency and memory benchmarks share: a migrated embedded PostgreSQL in a temporary
// folder, a connected client, the Lease source process and the controller they start; `stop` ends
// them all and removes the folder. Other processes a benchmark starts, it stops itself first.
export type Rig = {
  dataDir: string;
  database: EmbeddedDatabase;
  client: pg.Client;
  source: Source;
  ready: Extract<SourceReply, { type: 'ready' }>;
  // `npm run controller` watching the source's clusters; stopped by `stop`.
  startController: (env?: Record<string, string>) => ChildProcess;
  stop: () => Promise<void>;
};

export async function startRig(
  name: string,
  // tls: the source's API servers serve HTTPS (and HTTP/2) with a CA the kubeconfig carries.
  sourceOptions: { clusters: number; leasesPerCluster: number; historySize: number; tls?: boolean },
  databaseSettings: Record<string, string> = {},
): Promise<Rig> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), `leasetrail-bench-${name}-`));
  const database = await startEmbeddedPostgres({ dataDir, log: loggerFor('bench-postgres'), settings: databaseSettings });
  const source = new Source({ ...sourceOptions, kubeconfig: path.join(dataDir, 'kubeconfig') });
  const sourceReady = source.next('ready');
  const client = new pg.Client({ connectionString: database.url });
  const controllers: ChildProcess[] = [];
  const stop = async () => {
    for (const controller of controllers) await stopProcess(controller);
    await client.end().catch(() => undefined);
    await source.stop();
    await database.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    if (process.env.BENCH_CONTROLLER !== 'tsx') await buildControllerBundle();
    await migrate(database.url);
    await client.connect();
    const ready = await sourceReady;
    const start = (env: Record<string, string> = {}) => {
      const controller = startController({ DATABASE_URL: database.url, KUBECONFIG: ready.kubeconfig, ...env });
      controllers.push(controller);
      return controller;
    };
    return { dataDir, database, client, source, ready, startController: start, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
