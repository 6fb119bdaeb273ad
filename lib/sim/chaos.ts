import { z } from 'zod';

const cluster = z.string().min(1);
const lease = z.string().regex(/^[^/]+\/[^/]+$/, 'must be namespace/name');
const duration = z.number().int().min(0);

/** One chaos operation, as data: the same shape drives the API, scripts and scenarios. */
export const chaosOperationSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('crashLeader'), cluster, lease, restartAfterMs: duration.nullable().optional() }).strict(),
  z.object({ op: z.literal('stopLeader'), cluster, lease, release: z.boolean().optional(), restartAfterMs: duration.nullable().optional() }).strict(),
  z.object({ op: z.literal('stopAllCandidates'), cluster, lease, restartAfterMs: duration.nullable().optional() }).strict(),
  z.object({ op: z.literal('pauseLeader'), cluster, lease, durationMs: duration.optional() }).strict(),
  z.object({ op: z.literal('resumeLeader'), cluster, lease }).strict(),
  z.object({ op: z.literal('slowCalls'), cluster, lease, delayMs: duration, durationMs: duration.optional() }).strict(),
  // `host`: skew that candidate (leader or not) instead of the leader.
  z.object({ op: z.literal('skewClock'), cluster, lease, offsetMs: z.number().int(), durationMs: duration.optional(), host: z.string().min(1).optional() }).strict(),
  z.object({ op: z.literal('restartApiServer'), cluster, downtimeMs: duration.optional() }).strict(),
  z.object({ op: z.literal('compactHistory'), cluster }).strict(),
  // The leader's container is OOMKilled (exit 137): no release, the pod restarts it.
  z.object({ op: z.literal('oomKillLeader'), cluster, lease, restartAfterMs: duration.nullable().optional() }).strict(),
  // kube-apiserver or etcd stalls: every call of the cluster's electors waits delayMs and node heartbeats stop, for durationMs.
  z.object({ op: z.literal('stallApiServer'), cluster, durationMs: duration, delayMs: duration.optional() }).strict(),
  // A share (0–1] of the cluster's nodes miss their heartbeats for durationMs at the same moment.
  z.object({ op: z.literal('heartbeatBurst'), cluster, share: z.number().gt(0).max(1), durationMs: duration }).strict(),
  // A candidate restarts on other versions (the leader unless `host`): the coordinated election may move leadership.
  z.object({ op: z.literal('upgradeCandidate'), cluster, lease, host: z.string().min(1).optional(), binaryVersion: z.string().regex(/^\d+\.\d+(\.\d+)?$/), emulationVersion: z.string().regex(/^\d+\.\d+(\.\d+)?$/) }).strict(),
  // The API server deletes every Event now, as --event-ttl would.
  z.object({ op: z.literal('expireEvents'), cluster }).strict(),
]);

export type ChaosOperation = z.infer<typeof chaosOperationSchema>;

export type ChaosResult = { applied: boolean; identity?: string; detail?: string };

/** Anything chaos can be applied to: the fleet, or a fake in unit tests. */
export type ChaosTarget = { applyChaos(operation: ChaosOperation): Promise<ChaosResult> };

export function describeChaos(operation: ChaosOperation): string {
  return 'lease' in operation ? `${operation.op} ${operation.cluster} ${operation.lease}` : `${operation.op} ${operation.cluster}`;
}
