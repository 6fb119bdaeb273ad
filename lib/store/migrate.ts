import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from '../log';

export const defaultMigrationsDir = path.resolve(process.cwd(), 'prisma', 'migrations');

// The key Prisma Migrate itself locks on, so our runner and `prisma migrate deploy` exclude each other.
const prismaAdvisoryLockKey = 72707369;

export type MigrationFile = { name: string; sql: string; checksum: string };

export type MigrateResult = { applied: string[]; latest: string | null };

export class MigrationError extends Error {
  override name = 'MigrationError';
}

const createMigrationsTable = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export function checksumOf(sql: string): string {
  return createHash('sha256').update(sql).digest('hex');
}

export async function listMigrationFiles(dir: string = defaultMigrationsDir): Promise<MigrationFile[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  const files: MigrationFile[] = [];
  for (const name of names) {
    const file = path.join(dir, name, 'migration.sql');
    if (!existsSync(file)) throw new MigrationError(`migration ${name} has no migration.sql`);
    const sql = await readFile(file, 'utf8');
    files.push({ name, sql, checksum: checksumOf(sql) });
  }
  return files;
}

type AppliedRow = { migration_name: string; checksum: string; finished_at: Date | null; rolled_back_at: Date | null };

function checkApplied(files: MigrationFile[], applied: AppliedRow[], log?: Logger): Set<string> {
  const byName = new Map(files.map((file) => [file.name, file]));
  const done = new Set<string>();
  for (const row of applied) {
    if (row.rolled_back_at) continue;
    if (!row.finished_at) {
      throw new MigrationError(`migration ${row.migration_name} started but never finished; repair the database and mark it rolled back`);
    }
    const file = byName.get(row.migration_name);
    if (!file) {
      log?.warn({ migration: row.migration_name }, 'database has a migration this build does not know; it is newer than this code');
    } else if (file.checksum !== row.checksum) {
      throw new MigrationError(`migration ${row.migration_name} was modified after it was applied (checksum ${row.checksum.slice(0, 12)}… in the database, ${file.checksum.slice(0, 12)}… on disk); add a new migration instead`);
    }
    done.add(row.migration_name);
  }
  return done;
}

export async function migrate(databaseUrl: string, options: { dir?: string; log?: Logger } = {}): Promise<MigrateResult> {
  const files = await listMigrationFiles(options.dir);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [prismaAdvisoryLockKey]);
    try {
      await client.query(createMigrationsTable);
      const { rows } = await client.query<AppliedRow>('SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at');
      const done = checkApplied(files, rows, options.log);
      const applied: string[] = [];
      for (const file of files) {
        if (done.has(file.name)) continue;
        options.log?.info({ migration: file.name }, 'applying migration');
        await client.query('BEGIN');
        try {
          await client.query(file.sql);
          await client.query(
            `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
             VALUES ($1, $2, $3, now(), clock_timestamp(), 1)`,
            [randomUUID(), file.checksum, file.name],
          );
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw new MigrationError(`migration ${file.name} failed: ${error instanceof Error ? error.message : String(error)}`);
        }
        applied.push(file.name);
      }
      return { applied, latest: files.at(-1)?.name ?? null };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [prismaAdvisoryLockKey]);
    }
  } finally {
    await client.end();
  }
}
