import { z } from 'zod';
import { AbortedError, systemClock, type Clock } from './clock';
import { chaosOperationSchema, describeChaos, type ChaosOperation, type ChaosResult, type ChaosTarget } from './chaos';
import { createRandom } from './random';

// A step is an operation plus its offset; the operation part stays strict about unknown keys.
export const scenarioStepSchema = z.looseObject({ atMs: z.number().int().min(0) }).transform((step, ctx): { atMs: number } & ChaosOperation => {
  const operation: Record<string, unknown> = { ...step };
  delete operation.atMs;
  const parsed = chaosOperationSchema.safeParse(operation);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
    return z.NEVER;
  }
  return { atMs: step.atMs, ...parsed.data };
});

export const scenarioSchema = z
  .object({
    name: z.string().min(1).optional(),
    seed: z.union([z.string(), z.number()]).optional(),
    steps: z.array(scenarioStepSchema),
  })
  .strict();

export type ScenarioStep = z.output<typeof scenarioStepSchema>;
export type Scenario = z.output<typeof scenarioSchema>;

export class ScenarioError extends Error {
  override name = 'ScenarioError';
}

/** Validate a scenario (parsed JSON); steps come back ordered by time. */
export function parseScenario(input: unknown): Scenario {
  const result = scenarioSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ScenarioError(`invalid scenario at ${issue?.path.join('.') || 'top level'}: ${issue?.message ?? 'unknown problem'}`);
  }
  return { ...result.data, steps: [...result.data.steps].sort((a, b) => a.atMs - b.atMs) };
}

export type ChaosMix = Partial<Record<ChaosOperation['op'], number>>;

/** Gentle by default: mostly crashes, graceful stops and short pauses; restarts and compactions now and then. */
export const gentleChaosMix: ChaosMix = {
  crashLeader: 3,
  stopLeader: 3,
  pauseLeader: 2,
  slowCalls: 1,
  skewClock: 1,
  restartApiServer: 1,
  compactHistory: 1,
};

export type GenerateScenarioOptions = {
  seed: string | number;
  /** lease keys (namespace/name) per cluster name */
  leases: Record<string, readonly string[]>;
  durationMs: number;
  meanIntervalMs: number;
  mix?: ChaosMix;
  /** how long a crashed or stopped candidate stays down, and how long pauses and slowdowns last */
  restartAfterMs?: number;
  pauseMs?: number;
};

/** A reproducible timeline: the same seed and inputs always give the same steps. */
export function generateScenario(options: GenerateScenarioOptions): Scenario {
  const random = createRandom(options.seed);
  const mix = Object.entries(options.mix ?? gentleChaosMix).filter(([, weight]) => (weight ?? 0) > 0) as Array<[ChaosOperation['op'], number]>;
  const totalWeight = mix.reduce((sum, [, weight]) => sum + weight, 0);
  const clusters = Object.keys(options.leases).filter((name) => (options.leases[name]?.length ?? 0) > 0);
  if (clusters.length === 0 || totalWeight === 0) return { seed: options.seed, steps: [] };
  const pauseMs = options.pauseMs ?? 20_000;
  const steps: ScenarioStep[] = [];
  let at = 0;
  for (;;) {
    at += Math.round(options.meanIntervalMs * (0.5 + random.float()));
    if (at > options.durationMs) break;
    let roll = random.float() * totalWeight;
    const op = mix.find(([, weight]) => (roll -= weight) < 0)?.[0] ?? mix[0]![0];
    const cluster = random.pick(clusters);
    const lease = random.pick(options.leases[cluster]!);
    const restart = options.restartAfterMs !== undefined ? { restartAfterMs: options.restartAfterMs } : {};
    const operation: ChaosOperation = (() => {
      switch (op) {
        case 'crashLeader':
          return { op, cluster, lease, ...restart };
        case 'stopLeader':
          return { op, cluster, lease, release: true, ...restart };
        case 'stopAllCandidates':
          return { op, cluster, lease, ...restart };
        case 'pauseLeader':
          return { op, cluster, lease, durationMs: Math.round(pauseMs * (0.5 + random.float())) };
        case 'resumeLeader':
          return { op, cluster, lease };
        case 'slowCalls':
          return { op, cluster, lease, delayMs: random.int(200, 3000), durationMs: pauseMs * 2 };
        case 'skewClock':
          return { op, cluster, lease, offsetMs: random.pick([-1, 1]) * random.int(1000, 30_000), durationMs: pauseMs * 3 };
        case 'restartApiServer':
          return { op, cluster, downtimeMs: random.int(500, 3000) };
        case 'compactHistory':
          return { op, cluster };
        case 'oomKillLeader':
          return { op, cluster, lease, ...restart };
        case 'stallApiServer':
          return { op, cluster, durationMs: Math.round(pauseMs * (0.5 + random.float())) };
        case 'heartbeatBurst':
          return { op, cluster, share: 0.5 + random.float() / 2, durationMs: random.int(15_000, 60_000) };
        case 'upgradeCandidate':
          return { op, cluster, lease, binaryVersion: random.pick(['1.33.0', '1.34.0']), emulationVersion: random.pick(['1.33', '1.34']) };
        case 'expireEvents':
          return { op, cluster };
      }
    })();
    steps.push({ atMs: at, ...operation });
  }
  return { seed: options.seed, steps };
}

function operationOf(step: ScenarioStep): ChaosOperation {
  const copy: Record<string, unknown> = { ...step };
  delete copy.atMs;
  return copy as ChaosOperation;
}

export type ScenarioProgress = { step: ScenarioStep; result: ChaosResult };

/** Play the steps at their offsets from now; a failing step is reported and the timeline goes on. */
export async function runScenario(
  target: ChaosTarget,
  scenario: Scenario,
  options: { clock?: Clock; signal?: AbortSignal; onStep?: (progress: ScenarioProgress) => void } = {},
): Promise<ScenarioProgress[]> {
  const clock = options.clock ?? systemClock;
  const start = clock.monotonic();
  const done: ScenarioProgress[] = [];
  for (const step of [...scenario.steps].sort((a, b) => a.atMs - b.atMs)) {
    try {
      await clock.sleep(step.atMs - (clock.monotonic() - start), options.signal);
    } catch (error) {
      if (error instanceof AbortedError) return done;
      throw error;
    }
    const operation = operationOf(step);
    let result: ChaosResult;
    try {
      result = await target.applyChaos(operation);
    } catch (error) {
      result = { applied: false, detail: `${describeChaos(operation)} failed: ${(error as Error).message}` };
    }
    const progress = { step, result };
    done.push(progress);
    options.onStep?.(progress);
  }
  return done;
}
