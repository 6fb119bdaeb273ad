import type { RankedCandidate } from '../leases/candidate-ranking';
import type { DegradedBandFact, FailoverHint } from '../leases/failover-hint';
import type { Workload } from '../leases/pod-identity';

// The lease page's and the audit's failover context, as the read API sends it (times in epoch ms).
export type HolderPod = { identity: string; namespace: string; pod: string; nodeName: string | null; workload: Workload | null };

// finishedAt: when the container ended, as reported (null: not reported); observedAt: when Leasetrail saw the restart.
export type RestartDto = { id: string; pod: string; container: string; restartCount: number; reason: string | null; exitCode: number | null; finishedAt: number | null; observedAt: number };

export type EventDto = { id: string; api: 'core' | 'events_k8s_io'; involvedKind: string; involvedName: string; reason: string; message: string; type: string | null; reportingComponent: string | null; firstAt: number; lastAt: number; count: number; deletedAt: number | null };

export type FailoverContextDto = {
  id: string;
  at: number;
  cause: string | null;
  fromHolder: string | null;
  toHolder: string | null;
  fromPod: HolderPod | null;
  toPod: HolderPod | null;
  hint: FailoverHint;
  restarts: RestartDto[];
  bands: DegradedBandFact[];
  // Kept Events of the lease and of the previous and new holder pods around this failover.
  events: EventDto[];
};

export type AccessDto = { resource: 'pods' | 'events' | 'events_k8s_io' | 'leasecandidates'; access: 'granted' | 'denied' | 'absent'; detail: string | null; checkedAt: number };

export type LeaseContextDto = {
  strategy: string | null;
  preferredHolder: string | null;
  holderIdentity: string | null;
  expiresAt: number | null;
  holderPod: HolderPod | null;
  failovers: FailoverContextDto[];
  events: EventDto[];
  candidates: RankedCandidate[];
  bands: DegradedBandFact[];
  access: AccessDto[];
};

export type NodeHeartbeatOptions = {
  // kube-controller-manager's --node-monitor-grace-period (40 s, 50 s since 1.32).
  gracePeriodMs: number;
  // "Came within X s of the grace period".
  nearMs: number;
  // A renew gap above this counts as missed renewals (kubelet renews every 10 s).
  missedAboveMs: number;
  // A burst: at least this many nodes, and this share of the cluster's nodes, missing renewals in one 10 s slot.
  burstMinNodes: number;
  burstMinShare: number;
  // Per-node rows returned, worst first: the page stays small at 5,000 nodes.
  limit: number;
};

export type NodeGapStats = { node: string; samples: number; p50Ms: number | null; p99Ms: number | null; worstMs: number | null; worstAt: number | null; isNearGrace: boolean; isPastGrace: boolean };

export type HeartbeatBurst = { at: number; nodes: number; totalNodes: number; worstMs: number };

// One time step of renew gaps: percentiles over every renewal in it (of the cluster's nodes, or of one node),
// the longest gap, and how many nodes renewed in it (the most in one minute of the step). From the rollups.
export type NodeGapPoint = { at: number; p50Ms: number | null; p99Ms: number | null; worstMs: number | null; nodes: number };

export type NodeGapSeries = { stepMs: number; points: NodeGapPoint[] };

export type NodeHeartbeatView = {
  cluster: string;
  // The cluster's renew gaps over time, and the selected node's (null: none selected, or no such node).
  series: NodeGapSeries;
  selectedNode: { node: string; series: NodeGapSeries } | null;
  totalNodes: number;
  reportingNodes: number;
  nearGraceNodes: number;
  pastGraceNodes: number;
  nodes: NodeGapStats[];
  bursts: HeartbeatBurst[];
  rolledUntil: number | null;
  options: NodeHeartbeatOptions;
};
