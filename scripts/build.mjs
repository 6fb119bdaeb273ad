// `npm run build`: what production runs. Next.js standalone output plus esbuild bundles of our entry
// points, assembled in one folder (the artefact) that plain `node` starts with production dependencies only.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const artefactDir = path.join(root, '.next', 'standalone');

const entries = {
  start: 'scripts/start.ts',
  controller: 'scripts/controller.ts',
  sim: 'scripts/sim.ts',
  migrate: 'scripts/migrate.ts',
  // lib/kube/controller.ts starts its threads from `controller-worker.cjs` beside itself: in the bundle, this one.
  'controller-worker': 'lib/kube/controller-worker.ts',
  // lib/server/run.ts registers `preview-worker.cjs` beside itself for the rule preview's threads: in the bundle, this one.
  'preview-worker': 'lib/server/preview-worker.ts',
};

// Bundled into our entry points, so esbuild drops what they do not use: @kubernetes/client-node's index
// loads its whole generated API (every group's client and model, +70 MB RSS per thread); the controller
// uses KubeConfig and its authentication only (+43 MB when tree-shaken). Its own dependencies stay external.
const inlinePackages = ['@kubernetes/client-node'];

function packageOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function externalPackagesExcept(inlined) {
  return {
    name: 'external-packages',
    setup(bundler) {
      bundler.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path.startsWith('node:') || inlined.includes(packageOf(args.path))) return undefined;
        // tsconfig's "@/..." alias is our own code.
        if (args.path.startsWith('@/')) return undefined;
        return { path: args.path, external: true };
      });
    },
  };
}

function buildNext() {
  const nextBin = require.resolve('next/dist/bin/next');
  const result = spawnSync(process.execPath, [nextBin, 'build'], { cwd: root, stdio: 'inherit', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
  if (result.status !== 0) throw new Error(`next build failed with exit code ${result.status}`);
}

export async function bundleEntries(outdir) {
  await build({
    entryPoints: Object.entries(entries).map(([out, entry]) => ({ out, in: path.join(root, entry) })),
    outdir,
    outExtension: { '.js': '.cjs' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // npm packages come from the production install beside the artefact (some carry native binaries or
    // worker files), except the inlined ones: see inlinePackages.
    plugins: [externalPackagesExcept(inlinePackages)],
    sourcemap: 'linked',
    tsconfig: path.join(root, 'tsconfig.json'),
    // The generated Prisma client is ESM-flavoured TypeScript; in a CommonJS bundle its module URL is the bundle's.
    banner: { js: "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
    define: { 'import.meta.url': '__bundleUrl' },
    logLevel: 'warning',
  });
}

// The artefact's package.json: production dependencies only and no install scripts (nothing to generate there);
// `npm install --omit=dev --omit=peer` beside it, from the project's lock file, gives the node_modules it runs with.
function writeArtefactPackage() {
  const project = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const artefact = {
    name: project.name,
    version: project.version,
    private: true,
    engines: project.engines,
    scripts: { start: 'node dist/start.cjs', controller: 'node dist/controller.cjs', migrate: 'node dist/migrate.cjs', sim: 'node dist/sim.cjs' },
    dependencies: project.dependencies,
    overrides: project.overrides,
    allowScripts: project.allowScripts,
  };
  writeFileSync(path.join(artefactDir, 'package.json'), `${JSON.stringify(artefact, null, 2)}\n`);
  cpSync(path.join(root, 'package-lock.json'), path.join(artefactDir, 'package-lock.json'));
}

// A brotli and a gzip copy of every compressible static asset, made once here instead of on every request
// by Next (lib/server/static-assets.ts serves them). A copy no smaller than the file is not written.
function precompressStatic(dir) {
  if (!existsSync(dir)) return { files: 0, bytes: 0, br: 0 };
  const totals = { files: 0, bytes: 0, br: 0 };
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !/\.(js|mjs|css|json|map|svg|txt)$/.test(entry.name)) continue;
    const file = path.join(entry.parentPath, entry.name);
    const body = readFileSync(file);
    const br = brotliCompressSync(body, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: body.length } });
    const gz = gzipSync(body, { level: 9 });
    if (br.length < body.length) writeFileSync(`${file}.br`, br);
    if (gz.length < body.length) writeFileSync(`${file}.gz`, gz);
    totals.files += 1;
    totals.bytes += body.length;
    totals.br += Math.min(br.length, body.length);
  }
  return totals;
}

function copyInto(from, to) {
  if (!existsSync(from)) return;
  rmSync(to, { recursive: true, force: true });
  cpSync(from, to, { recursive: true });
}

async function main() {
  buildNext();
  const distDir = path.join(artefactDir, 'dist');
  rmSync(distDir, { recursive: true, force: true });
  mkdirSync(distDir, { recursive: true });
  await bundleEntries(distDir);
  copyInto(path.join(root, '.next', 'static'), path.join(artefactDir, '.next', 'static'));
  const compressed = precompressStatic(path.join(artefactDir, '.next', 'static'));
  process.stdout.write(`pre-compressed ${compressed.files} static assets: ${Math.round(compressed.bytes / 1024)} KiB → ${Math.round(compressed.br / 1024)} KiB brotli\n`);
  copyInto(path.join(root, 'public'), path.join(artefactDir, 'public'));
  copyInto(path.join(root, 'prisma', 'migrations'), path.join(artefactDir, 'prisma', 'migrations'));
  writeArtefactPackage();
  // Next traces only the files its own server touched; the controller needs whole packages (native binaries,
  // worker files), so the artefact gets a real production install instead of the traced partial copies.
  rmSync(path.join(artefactDir, 'node_modules'), { recursive: true, force: true });
  // Next's own standalone server.js would start the web tier without the database and controller.
  rmSync(path.join(artefactDir, 'server.js'), { force: true });
  writeFileSync(path.join(distDir, 'BUILT_AT'), `${new Date().toISOString()}\n`);
  process.stdout.write(`production artefact: ${path.relative(root, artefactDir)} (start with: node dist/start.cjs)\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
