import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { checksumOf, defaultMigrationsDir, listMigrationFiles, migrate, MigrationError } from '../../../lib/store/migrate';
import { createEmptyDatabase, type TestDatabase } from '../helpers/database';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function database(): Promise<TestDatabase> {
  const db = await createEmptyDatabase('migrate');
  cleanups.push(db.drop);
  return db;
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

async function migrationsDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'leasetrail-migrations-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  for (const [name, sql] of Object.entries(files)) {
    await mkdir(path.join(dir, name));
    await writeFile(path.join(dir, name, 'migration.sql'), sql);
  }
  return dir;
}

describe('migrate', () => {
  it('applies every migration and records it in Prisma’s _prisma_migrations format', async () => {
    const db = await database();
    const files = await listMigrationFiles();
    const result = await migrate(db.url);

    expect(result.applied).toEqual(files.map((file) => file.name));
    const columns = await query<{ column_name: string; data_type: string; is_nullable: string }>(
      db.url,
      `SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
    );
    expect(columns.map((c) => [c.column_name, c.data_type, c.is_nullable])).toEqual([
      ['id', 'character varying', 'NO'],
      ['checksum', 'character varying', 'NO'],
      ['finished_at', 'timestamp with time zone', 'YES'],
      ['migration_name', 'character varying', 'NO'],
      ['logs', 'text', 'YES'],
      ['rolled_back_at', 'timestamp with time zone', 'YES'],
      ['started_at', 'timestamp with time zone', 'NO'],
      ['applied_steps_count', 'integer', 'NO'],
    ]);
    const rows = await query<{ id: string; checksum: string; migration_name: string; finished_at: Date | null; applied_steps_count: number }>(
      db.url,
      'SELECT * FROM "_prisma_migrations" ORDER BY migration_name',
    );
    expect(rows).toHaveLength(files.length);
    for (const [index, row] of rows.entries()) {
      expect(row.migration_name).toBe(files[index]?.name);
      expect(row.checksum).toBe(files[index]?.checksum);
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.applied_steps_count).toBe(1);
    }
  });

  it('applies nothing the second time', async () => {
    const db = await database();
    await migrate(db.url);
    const again = await migrate(db.url);
    expect(again.applied).toEqual([]);
    const [count] = await query<{ n: string }>(db.url, 'SELECT count(*) AS n FROM "_prisma_migrations"');
    expect(Number(count?.n)).toBe((await listMigrationFiles()).length);
  });

  it('is safe when two processes migrate the same database at once', async () => {
    const db = await database();
    const [first, second] = await Promise.all([migrate(db.url), migrate(db.url)]);
    const files = await listMigrationFiles();
    expect([...first.applied, ...second.applied].sort()).toEqual(files.map((file) => file.name));
    const [count] = await query<{ n: string }>(db.url, 'SELECT count(*) AS n FROM "_prisma_migrations"');
    expect(Number(count?.n)).toBe(files.length);
  });

  it('applies in name order', async () => {
    const db = await database();
    const dir = await migrationsDir({
      '20260101000000_b_second': 'ALTER TABLE "first" ADD COLUMN "b" INTEGER;',
      '20250101000000_a_first': 'CREATE TABLE "first" ("a" INTEGER);',
    });
    const result = await migrate(db.url, { dir });
    expect(result.applied).toEqual(['20250101000000_a_first', '20260101000000_b_second']);
  });

  it('refuses a migration whose file changed after it was applied', async () => {
    const db = await database();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'leasetrail-migrations-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await cp(defaultMigrationsDir, dir, { recursive: true });
    await migrate(db.url, { dir });

    const [first] = await listMigrationFiles(dir);
    await writeFile(path.join(dir, first!.name, 'migration.sql'), `${first!.sql}\n-- edited\n`);
    const attempt = migrate(db.url, { dir });
    await expect(attempt).rejects.toBeInstanceOf(MigrationError);
    await expect(attempt).rejects.toThrow(`migration ${first!.name} was modified after it was applied`);
  });

  it('rolls back a failing migration and does not record it', async () => {
    const db = await database();
    const dir = await migrationsDir({
      '20250101000000_ok': 'CREATE TABLE "kept" ("a" INTEGER);',
      '20250102000000_broken': 'CREATE TABLE "half" ("a" INTEGER);\nSELECT no_such_function();',
    });
    await expect(migrate(db.url, { dir })).rejects.toThrow(/migration 20250102000000_broken failed: .*no_such_function/);
    const tables = await query<{ table_name: string }>(db.url, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`);
    expect(tables.map((t) => t.table_name)).toEqual(['_prisma_migrations', 'kept']);
    const names = await query<{ migration_name: string }>(db.url, 'SELECT migration_name FROM "_prisma_migrations"');
    expect(names.map((n) => n.migration_name)).toEqual(['20250101000000_ok']);
  });

  it('computes Prisma’s checksum: the SHA-256 of the file', () => {
    expect(checksumOf('SELECT 1;')).toBe('17db4fd369edb9244b9f91d9aeed145c3d04ad8ba6e95d06247f07a63527d11a');
  });
});
