import pg from 'pg';
import type { Logger } from '../log';

// Advisory locks are held by one session; a cluster's rows are written on that same session, so a
// replica whose connection dropped has lost the lock and cannot write until it re-acquires it.
const lockNamespace = 0x4c54;
// Every owner session holds this shared lock on its balancing domain for as long as it lives, so the
// live owners are counted from pg_locks: a replica that died is gone from the count with its session.
const presenceNamespace = 0x4c50;

const groupSavepoint = 'group_member';
// Each member's savepoint is a subtransaction; past 64 in one transaction PostgreSQL's per-backend subxid
// cache overflows and every snapshot of every session gets slower. A group stays well below it.
export const maxGroupMembers = 16;

// `savepoint`: the member's own savepoint, open while `work` runs; a failure of `work` is rolled back to it.
export type GroupWork<T> = (client: pg.Client, savepoint: string) => Promise<T>;

type GroupMember = { cluster: string; work: GroupWork<unknown>; resolve: (value: unknown) => void; reject: (error: unknown) => void };

// `domain`: the owners that compete for the same clusters (a thread index of a thread count).
export type OwnerSessionOptions = { databaseUrl: string; log: Logger; applicationName: string; domain?: string };

export class OwnerSession {
  private client: pg.Client | undefined;
  private connecting: Promise<pg.Client> | undefined;
  private generationCounter = 0;
  private readonly held = new Map<string, number>();
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;
  private group: GroupMember[] = [];
  private isGroupQueued = false;

  constructor(private readonly options: OwnerSessionOptions) {}

  get generation(): number {
    return this.generationCounter;
  }

  private async connect(): Promise<pg.Client> {
    if (this.client) return this.client;
    this.connecting ??= (async () => {
      const client = new pg.Client({ connectionString: this.options.databaseUrl, connectionTimeoutMillis: 5_000, application_name: this.options.applicationName });
      client.on('error', (error) => this.drop(client, error));
      client.on('end', () => this.drop(client, new Error('connection ended')));
      try {
        await client.connect();
        await client.query('SELECT pg_advisory_lock_shared($1, hashtext($2))', [presenceNamespace, this.domain]);
      } catch (error) {
        client.removeAllListeners();
        throw error;
      } finally {
        this.connecting = undefined;
      }
      this.generationCounter += 1;
      this.client = client;
      return client;
    })();
    return this.connecting;
  }

  private drop(client: pg.Client, error: Error): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.held.clear();
    if (!this.closed) this.options.log.warn({ err: error.message }, 'owner session lost; every cluster lock it held is gone');
    client.end().catch(() => undefined);
  }

  private get domain(): string {
    return this.options.domain ?? 't0/1';
  }

  // How many clusters this session owns right now.
  get heldCount(): number {
    let count = 0;
    for (const generation of this.held.values()) if (generation === this.generationCounter && this.client) count += 1;
    return count;
  }

  // Owner sessions alive in this session's domain, itself included (replicas, or one thread of each).
  async countLiveOwners(): Promise<number> {
    return this.serialize(async (client) => {
      const { rows } = await client.query<{ owners: number }>(
        `SELECT count(*)::int AS owners FROM pg_locks
          WHERE locktype = 'advisory' AND classid = $1 AND objid = (hashtext($2)::bigint & 4294967295)::oid AND objsubid = 2 AND mode = 'ShareLock' AND granted`,
        [presenceNamespace, this.domain],
      );
      return Math.max(1, rows[0]?.owners ?? 1);
    });
  }

  // True when this session holds the cluster's lock right now.
  holds(cluster: string): boolean {
    return this.client !== undefined && this.held.get(cluster) === this.generationCounter;
  }

  async tryAcquire(cluster: string): Promise<boolean> {
    return this.serialize(async (client) => {
      if (this.held.get(cluster) === this.generationCounter) return true;
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked', [lockNamespace, cluster]);
      if (rows[0]?.locked) this.held.set(cluster, this.generationCounter);
      return rows[0]?.locked ?? false;
    });
  }

  async release(cluster: string): Promise<void> {
    if (!this.holds(cluster)) return;
    await this.serialize(async (client) => {
      await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [lockNamespace, cluster]);
      this.held.delete(cluster);
    });
  }

  // Runs `work` on the session only while it still holds the cluster's lock; otherwise throws LockLostError.
  async withLock<T>(cluster: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
    return this.serialize(async (client) => {
      if (this.held.get(cluster) !== this.generationCounter) throw new LockLostError(cluster);
      return work(client);
    });
  }

  // Like withLock, but `work` joins the next group commit: every cluster of this session that has a batch
  // ready when the session is free writes it in one transaction (one fsync for all of them), up to
  // maxGroupMembers at a time, each batch under one savepoint, so a batch that fails is undone alone and
  // its cluster gets the error. `work` must write inside the open transaction (never BEGIN/COMMIT itself)
  // and should open no savepoint of its own on its common path.
  writeInGroup<T>(cluster: string, work: GroupWork<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.group.push({ cluster, work: work as GroupMember['work'], resolve: resolve as GroupMember['resolve'], reject });
      this.queueGroup();
    });
  }

  private queueGroup(): void {
    if (this.isGroupQueued || this.group.length === 0) return;
    this.isGroupQueued = true;
    // No connection (the database is down): the group's members fail as withLock's work would.
    this.serialize((client) => this.commitGroup(client)).catch((error: unknown) => {
      this.isGroupQueued = false;
      for (const member of this.group.splice(0)) member.reject(error);
    });
  }

  private async commitGroup(client: pg.Client): Promise<void> {
    this.isGroupQueued = false;
    const members = this.group.splice(0, maxGroupMembers);
    // The rest forms the next group, queued behind this one on the session.
    this.queueGroup();
    const written: Array<{ member: GroupMember; value: unknown }> = [];
    const refused = new Set<GroupMember>();
    try {
      await client.query('BEGIN');
      for (const member of members) {
        if (this.held.get(member.cluster) !== this.generationCounter) {
          refused.add(member);
          member.reject(new LockLostError(member.cluster));
          continue;
        }
        await client.query(`SAVEPOINT ${groupSavepoint}`);
        try {
          written.push({ member, value: await member.work(client, groupSavepoint) });
          await client.query(`RELEASE SAVEPOINT ${groupSavepoint}`);
        } catch (error) {
          // When even this fails, the connection is gone: the catch below fails everyone left.
          await client.query(`ROLLBACK TO SAVEPOINT ${groupSavepoint}`);
          refused.add(member);
          member.reject(error);
        }
      }
      // COMMIT of a transaction that failed unnoticed answers ROLLBACK instead of an error.
      const committed = await client.query('COMMIT');
      if (committed.command !== 'COMMIT') throw new Error(`the group commit was rolled back (${committed.command})`);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      for (const member of members) if (!refused.has(member)) member.reject(error);
      return;
    }
    for (const { member, value } of written) member.resolve(value);
  }

  private serialize<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
    const run = this.tail.then(async () => {
      if (this.closed) throw new Error('owner session is closed');
      return work(await this.connect());
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.tail;
    const client = this.client;
    this.client = undefined;
    this.held.clear();
    await client?.end().catch(() => undefined);
  }
}

export class LockLostError extends Error {
  override name = 'LockLostError';
  constructor(readonly cluster: string) {
    super(`this instance no longer owns cluster ${cluster}`);
  }
}

export async function pingStore(client: pg.ClientBase): Promise<void> {
  await client.query('SELECT 1');
}

// Records this instance as the cluster's owner from now on, and says who owned it before.
export async function ensureCluster(
  session: OwnerSession,
  cluster: { name: string; source: 'kubeconfig' | 'in_cluster' | 'simulated'; server: string; owner: string },
): Promise<{ id: number; lastSeenAt: Date | null; previousOwner: string | null; openGapSince: Date | null }> {
  return session.withLock(cluster.name, async (client) => {
    const { rows } = await client.query<{ id: number; lastSeenAt: Date | null; previousOwner: string | null; openGapSince: Date | null }>(
      `WITH previous AS (SELECT "ownerInstance" FROM "Cluster" WHERE name = $1)
       INSERT INTO "Cluster" (name, source, server, state, "ownerInstance", "ownerSince", "updatedAt") VALUES ($1, $2, $3, 'pending', $4, now(), now())
       ON CONFLICT (name) DO UPDATE SET source = EXCLUDED.source, server = EXCLUDED.server, "ownerInstance" = EXCLUDED."ownerInstance", "ownerSince" = now(), "updatedAt" = now()
       RETURNING id, "lastSeenAt", (SELECT "ownerInstance" FROM previous) AS "previousOwner",
                 (SELECT min(g."startedAt") FROM "ObservationGap" g WHERE g."clusterId" = "Cluster".id AND g."endedAt" IS NULL) AS "openGapSince"`,
      [cluster.name, cluster.source, cluster.server, cluster.owner],
    );
    const row = rows[0];
    if (!row) throw new Error(`cluster ${cluster.name} could not be stored`);
    return row;
  });
}
