// `prisma generate` checks for a schema-engine binary it never uses to generate and would try to
// download it from Prisma's CDN; pointing the check at an existing file keeps install offline.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;

let cli;
try {
  cli = require.resolve('prisma/build/index.js');
} catch {
  // A production install (--omit=dev) has no prisma CLI and needs none: the built bundle carries the client.
  process.exit(0);
}
const result = spawnSync(process.execPath, [cli, 'generate'], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
