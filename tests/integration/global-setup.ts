import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { loggerFor } from '../../lib/log';
import { startEmbeddedPostgres } from '../../lib/store/embedded-postgres';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

// One PostgreSQL for the whole run; every test file gets its own database (tests/integration/helpers/database.ts).
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'leasetrail-it-'));
  const database = await startEmbeddedPostgres({ dataDir, log: loggerFor('test-postgres') });
  project.provide('pgAdminUrl', database.adminUrl);
  return async () => {
    await database.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
