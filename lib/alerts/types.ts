export const ruleKinds = ['flapping', 'leaderless', 'renew_latency', 'stale_data', 'heartbeat_gap', 'slo_burn'] as const;

export type RuleKind = (typeof ruleKinds)[number];

export type AlertState = 'pending' | 'firing' | 'resolved';

export type OpenState = Exclude<AlertState, 'resolved'>;

export type FlappingParams = { transitions: number; windowSeconds: number };
export type LeaderlessParams = { seconds: number };
export type RenewLatencyParams = { windowSeconds: number; percentOfLeaseDuration: number; minSamples: number };
export type StaleDataParams = { seconds: number };
// `node`: one alert per node whose renew gap reached gapSeconds; `cluster`: one per cluster once clusterSharePercent of its nodes did.
export type HeartbeatGapParams = { scope: 'node' | 'cluster'; gapSeconds: number; windowSeconds: number; clusterSharePercent: number };
export type SloBurnParams = { sloId: number };

export type RuleDefinition =
  | { kind: 'flapping'; params: FlappingParams }
  | { kind: 'leaderless'; params: LeaderlessParams }
  | { kind: 'renew_latency'; params: RenewLatencyParams }
  | { kind: 'stale_data'; params: StaleDataParams }
  | { kind: 'heartbeat_gap'; params: HeartbeatGapParams }
  | { kind: 'slo_burn'; params: SloBurnParams };

export type RuleScope = {
  clusterPattern: string;
  namespacePattern: string;
  namePattern: string;
  excludePatterns: string[];
};

export type AlertRuleSpec = RuleDefinition &
  RuleScope & {
    id: number;
    name: string;
    enabled: boolean;
    forSeconds: number;
    quietSeconds: number;
  };

// A lease subject has namespace and name; a stale-data subject is a whole cluster.
export type Subject = { cluster: string; namespace: string | null; name: string | null };

// What a rule's condition says about one subject at one moment. `changesAt`: when it would flip if
// no new data arrived (a flapping window emptying, a leaderless period reaching its threshold), so
// the engine wakes exactly then. `endedAt`: for an inactive condition, when it stopped holding.
// `since`: when the condition started holding by the stored facts (the leaderless period's start,
// the change that crossed the flapping threshold), not the tick that noticed it. `endedBy`: for an
// inactive condition, what ended it, in words ("pod-b acquired the lease").
export type Condition = {
  subject: Subject;
  isActive: boolean;
  value: number | null;
  summary: string;
  changesAt: number | null;
  endedAt: number | null;
  since: number | null;
  endedBy: string | null;
};

export type AlertSnapshot = {
  state: AlertState;
  startedAt: number;
  firingAt: number | null;
  resolvedAt: number | null;
  lastActiveAt: number;
  value: number | null;
  summary: string;
  silencedUntil: number | null;
  // The condition's own span, apart from the alert's: an alert outlives its condition by the quiet period.
  conditionSince: number;
  conditionEndedAt: number | null;
  endedBy: string | null;
};

export type StateChange = { from: AlertState | null; to: AlertState; at: number; note: string | null };

export type NotificationEvent = 'firing' | 'resolved';
