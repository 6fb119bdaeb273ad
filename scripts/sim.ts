import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { defaultProfiles, startDemoFleet, startFleet, type Fleet } from '../lib/sim';

const usage = `usage: npm run sim -- [--clusters N] [--leases M] [--candidates K] [--nodes H] [--seed S]
                             [--chaos on|off] [--chaos-interval SECONDS] [--port-base PORT]
                             [--kubeconfig PATH] [--demo]`;

const count = (name: string, min: number, max: number) =>
  z.coerce.number({ error: `--${name} must be a number` }).int(`--${name} must be a whole number`).min(min, `--${name} must be at least ${min}`).max(max, `--${name} must be at most ${max}`);

const flagsSchema = z.object({
  clusters: count('clusters', 1, 50).default(3),
  leases: count('leases', 1, defaultProfiles.length).default(3),
  candidates: count('candidates', 1, 20).default(3),
  nodes: count('nodes', 0, 500).default(3),
  seed: z.string().min(1).default('leasetrail'),
  chaos: z.enum(['on', 'off'], { error: '--chaos must be on or off' }).default('on'),
  'chaos-interval': count('chaos-interval', 1, 86_400).default(180),
  'port-base': count('port-base', 1024, 65_000).optional(),
  kubeconfig: z.string().min(1).default(path.join('.data', 'sim', 'kubeconfig')),
  demo: z.boolean().default(false),
});

function parseFlags(argv: string[]): z.infer<typeof flagsSchema> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      clusters: { type: 'string' },
      leases: { type: 'string' },
      candidates: { type: 'string' },
      nodes: { type: 'string' },
      seed: { type: 'string' },
      chaos: { type: 'string' },
      'chaos-interval': { type: 'string' },
      'port-base': { type: 'string' },
      kubeconfig: { type: 'string' },
      demo: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  const result = flagsSchema.safeParse(values);
  if (!result.success) throw new Error(result.error.issues[0]?.message ?? 'invalid flags');
  return result.data;
}

async function startFromFlags(flags: z.infer<typeof flagsSchema>): Promise<Fleet> {
  const kubeconfigPath = path.resolve(flags.kubeconfig);
  const chaosIntervalMs = flags['chaos-interval'] * 1000;
  if (flags.demo) {
    return startDemoFleet({ seed: flags.seed, kubeconfigPath, chaos: flags.chaos === 'on', chaosIntervalMs, ...(flags['port-base'] ? { portBase: flags['port-base'] } : {}) });
  }
  const fleet = await startFleet({
    clusters: flags.clusters,
    leases: flags.leases,
    candidates: flags.candidates,
    heartbeatNodes: flags.nodes,
    seed: flags.seed,
    kubeconfigPath,
    bookmarkIntervalMs: 10_000,
    secure: { clientCertificateClusters: flags.clusters > 1 ? ['sim-1'] : [] },
    ...(flags['port-base'] ? { portBase: flags['port-base'] } : {}),
  });
  if (flags.chaos === 'on') void fleet.runChaos({ seed: flags.seed, meanIntervalMs: chaosIntervalMs, restartAfterMs: 20_000 });
  return fleet;
}

async function main(): Promise<void> {
  let flags: z.infer<typeof flagsSchema>;
  try {
    flags = parseFlags(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`sim: ${(error as Error).message} (see --help)\n`);
    process.exit(2);
  }
  const fleet = await startFromFlags(flags);
  const kubeconfig = fleet.kubeconfigPath!;
  const lines = [
    `Simulated fleet running (seed ${flags.seed}, chaos ${flags.chaos}):`,
    ...fleet.clusters.map((cluster) => `  ${cluster.name.padEnd(14)} ${cluster.url}   leases: ${cluster.leases.join(', ')}`),
    '',
    `Kubeconfig: ${kubeconfig}`,
    `Try:        kubectl --kubeconfig ${kubeconfig} get leases -A -w`,
    `            kubectl --kubeconfig ${kubeconfig} --context ${fleet.clusters[1]?.name ?? fleet.clusters[0]!.name} get leases -A`,
    'Ctrl-C stops the fleet.',
    '',
  ];
  process.stdout.write(lines.join('\n'));
  let isStopping = false;
  const shutdown = (signal: string) => {
    if (isStopping) return;
    isStopping = true;
    process.stdout.write(`\n${signal}: stopping the simulated fleet\n`);
    void fleet.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

void main().catch((error: unknown) => {
  process.stderr.write(`sim: ${(error as Error).message}\n`);
  process.exit(1);
});
