// `npm start` (and `npm run controller|sim|migrate`): build the production artefact when it is missing or older than the sources, then run it
// with plain node, exactly as a container does.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const artefactDir = path.join(root, '.next', 'standalone');
const builtStamp = path.join(artefactDir, 'dist', 'BUILT_AT');
const buildInputs = ['app', 'components', 'lib', 'scripts', 'prisma', 'public', 'next.config.js', 'postcss.config.mjs', 'package-lock.json', 'tsconfig.json'];
const ignoredDirs = new Set(['generated', 'node_modules']);

function newestMtime(target) {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(target, { withFileTypes: true })) {
    if (entry.isDirectory() && ignoredDirs.has(entry.name)) continue;
    newest = Math.max(newest, newestMtime(path.join(target, entry.name)));
  }
  return newest;
}

function isBuildStale() {
  if (!existsSync(builtStamp)) return true;
  const builtAt = statSync(builtStamp).mtimeMs;
  return buildInputs.some((input) => newestMtime(path.join(root, input)) > builtAt);
}

if (isBuildStale()) {
  process.stdout.write('building Leasetrail (first run or sources changed)\n');
  const result = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const entries = new Set(['start', 'controller', 'sim', 'migrate']);
const [entry = 'start', ...args] = process.argv.slice(2);
if (!entries.has(entry)) {
  process.stderr.write(`usage: node scripts/launch.mjs ${[...entries].join('|')} [arguments]\n`);
  process.exit(2);
}

const child = spawn(process.execPath, [path.join(artefactDir, 'dist', `${entry}.cjs`), ...args], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.once('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
