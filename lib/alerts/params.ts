import { z } from 'zod';
import { workbookWindows } from '../slo/burn-rate-alerts';
import type { RuleDefinition, RuleKind } from './types';

const WEEK_SECONDS = 7 * 24 * 60 * 60;

function wholeNumber(name: string, min: number, max: number) {
  const message = `${name} must be a whole number from ${min} to ${max}`;
  return z.number({ error: message }).int(message).min(min, message).max(max, message);
}

function paramsObject(example: string) {
  return { error: (issue: { code: string }) => (issue.code === 'invalid_type' ? `params must be an object, e.g. ${example}` : undefined) };
}

export const flappingParams = z.strictObject(
  {
    transitions: wholeNumber('transitions', 1, 1_000),
    windowSeconds: wholeNumber('windowSeconds', 10, WEEK_SECONDS),
  },
  paramsObject('{"transitions": 3, "windowSeconds": 600}'),
);

export const leaderlessParams = z.strictObject(
  {
    seconds: wholeNumber('seconds', 0, WEEK_SECONDS),
  },
  paramsObject('{"seconds": 30}'),
);

export const renewLatencyParams = z.strictObject(
  {
    windowSeconds: wholeNumber('windowSeconds', 30, 24 * 60 * 60),
    percentOfLeaseDuration: z
      .number({ error: 'percentOfLeaseDuration must be a number from 1 to 1000' })
      .min(1, 'percentOfLeaseDuration must be at least 1 (% of the lease duration)')
      .max(1_000, 'percentOfLeaseDuration must be at most 1000 (% of the lease duration)'),
    minSamples: wholeNumber('minSamples', 1, 100_000).default(5),
  },
  paramsObject('{"windowSeconds": 600, "percentOfLeaseDuration": 60}'),
);

export const staleDataParams = z.strictObject(
  {
    seconds: wholeNumber('seconds', 5, WEEK_SECONDS),
  },
  paramsObject('{"seconds": 300}'),
);

// The kubelet renews every 10 s: a shorter threshold would call every renewal a gap.
export const minHeartbeatGapSeconds = 11;

export const heartbeatGapParams = z.strictObject(
  {
    scope: z.enum(['node', 'cluster'], { error: 'scope must be node or cluster' }).default('node'),
    gapSeconds: wholeNumber('gapSeconds', minHeartbeatGapSeconds, 3_600),
    windowSeconds: wholeNumber('windowSeconds', 60, 3_600).default(300),
    clusterSharePercent: wholeNumber('clusterSharePercent', 1, 100).default(50),
  },
  paramsObject('{"scope": "cluster", "gapSeconds": 30, "clusterSharePercent": 50}'),
);

export const sloBurnParams = z.strictObject(
  {
    sloId: wholeNumber('sloId', 1, 2_147_483_647),
  },
  paramsObject('{"sloId": 1}'),
);

export const paramsByKind = {
  flapping: flappingParams,
  leaderless: leaderlessParams,
  renew_latency: renewLatencyParams,
  stale_data: staleDataParams,
  heartbeat_gap: heartbeatGapParams,
  slo_burn: sloBurnParams,
} as const satisfies Record<RuleKind, z.ZodType>;

export const ruleDefinitionSchema = z.discriminatedUnion(
  'kind',
  [
    z.object({ kind: z.literal('flapping'), params: flappingParams }),
    z.object({ kind: z.literal('leaderless'), params: leaderlessParams }),
    z.object({ kind: z.literal('renew_latency'), params: renewLatencyParams }),
    z.object({ kind: z.literal('stale_data'), params: staleDataParams }),
    z.object({ kind: z.literal('heartbeat_gap'), params: heartbeatGapParams }),
    z.object({ kind: z.literal('slo_burn'), params: sloBurnParams }),
  ],
  { error: 'kind must be one of flapping, leaderless, renew_latency, stale_data, heartbeat_gap, slo_burn' },
);

// The quiet period a new rule of each kind gets unless it says otherwise. A leaderless period or a
// blind spot that ended is over: resolve at once. Flapping comes back in bursts: wait before calling it over.
export const defaultQuietSeconds = {
  flapping: 300,
  leaderless: 0,
  renew_latency: 120,
  stale_data: 0,
  // A node that renews again is healthy again: the alert can end with the gap.
  heartbeat_gap: 0,
  // The short window of each pair already makes a burn alert stop soon after the burn does.
  slo_burn: 0,
} as const satisfies Record<RuleKind, number>;

// Rows come back from PostgreSQL with params as untyped JSON; a row edited by hand must not crash the engine.
export function parseRuleDefinition(kind: RuleKind, params: unknown): RuleDefinition {
  return ruleDefinitionSchema.parse({ kind, params });
}

// The longest stretch of history a rule looks at, for preview ranges and fact queries.
export function lookbackSeconds(definition: RuleDefinition): number {
  switch (definition.kind) {
    case 'flapping':
    case 'renew_latency':
    case 'heartbeat_gap':
      return definition.params.windowSeconds;
    case 'leaderless':
    case 'stale_data':
      return definition.params.seconds;
    case 'slo_burn':
      return Math.max(...workbookWindows.map((window) => window.longSeconds));
  }
}

export function describeRule(definition: RuleDefinition): string {
  switch (definition.kind) {
    case 'flapping':
      return `at least ${definition.params.transitions} change(s) of leader within ${formatSeconds(definition.params.windowSeconds)}`;
    case 'leaderless':
      return `no valid holder for at least ${formatSeconds(definition.params.seconds)}`;
    case 'renew_latency':
      return `renew interval p95 over ${formatSeconds(definition.params.windowSeconds)} above ${definition.params.percentOfLeaseDuration} % of the lease duration`;
    case 'stale_data':
      return `cluster not observed for ${formatSeconds(definition.params.seconds)}`;
    case 'heartbeat_gap':
      return definition.params.scope === 'node'
        ? `a node heartbeat gap of at least ${formatSeconds(definition.params.gapSeconds)} within ${formatSeconds(definition.params.windowSeconds)}`
        : `at least ${definition.params.clusterSharePercent} % of a cluster's nodes with a heartbeat gap of ${formatSeconds(definition.params.gapSeconds)} at once within ${formatSeconds(definition.params.windowSeconds)}`;
    case 'slo_burn':
      return `SLO ${definition.params.sloId} error budget burning: ${workbookWindows.map((w) => `${w.factor}× over ${formatSeconds(w.longSeconds)} and ${formatSeconds(w.shortSeconds)}`).join(', or ')}`;
  }
}

export function formatSeconds(seconds: number): string {
  if (seconds < 120 || seconds % 60 !== 0) return `${seconds} s`;
  if (seconds < 7_200 || seconds % 3_600 !== 0) return `${seconds / 60} min`;
  return `${seconds / 3_600} h`;
}
