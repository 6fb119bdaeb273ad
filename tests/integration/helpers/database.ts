import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { createStore, closeStore, type Store } from '../../../lib/store/client';
import { migrate } from '../../../lib/store/migrate';

export type TestDatabase = { url: string; name: string; drop: () => Promise<void> };

function withDatabase(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withAdmin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: inject('pgAdminUrl') });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

export async function createEmptyDatabase(prefix = 'test'): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await withAdmin((client) => client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`));
  return {
    name,
    url: withDatabase(inject('pgAdminUrl'), name),
    drop: () => withAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`)).then(() => undefined),
  };
}

export type MigratedDatabase = TestDatabase & { store: Store };

export async function createMigratedDatabase(prefix = 'test'): Promise<MigratedDatabase> {
  const database = await createEmptyDatabase(prefix);
  await migrate(database.url);
  const store = createStore(database.url, { max: 4 });
  return {
    ...database,
    store,
    drop: async () => {
      await closeStore(store);
      await database.drop();
    },
  };
}
