export type LeaseKey = { cluster: string; namespace: string; name: string };

export type LeaseKind = 'election' | 'node_heartbeat' | 'apiserver_identity';

// `unknown`: the change happened while we were blind (relist, 410, outage) or past changes we missed.
export type AcquireCause = 'first' | 'release' | 'expiry' | 'early_takeover' | 'unknown';

export type TransitionKind = 'acquired' | 'released' | 'expired' | 'deleted';

// `iso` is the text the API server sent (microseconds, kept for exact keys and storage); `ms` is for arithmetic.
export type MicroTime = { iso: string; ms: number };

export type ObservationSource = 'watch' | 'list';

export type Observation = {
  key: LeaseKey;
  uid: string | null;
  resourceVersion: string;
  kind: LeaseKind;
  holderIdentity: string | null;
  leaseDurationSeconds: number | null;
  acquireTime: MicroTime | null;
  renewTime: MicroTime | null;
  leaseTransitions: number | null;
  strategy: string | null;
  preferredHolder: string | null;
  labels: Record<string, string>;
  observedAt: number;
  source: ObservationSource;
};

// offsetMs = holder clock − our clock: positive when the holder writes renewTimes in our future.
export type SkewReason = 'future-renew' | 'steady-offset';

export type SkewState = {
  holder: string;
  lags: number[];
  offsetMs: number | null;
  reason: SkewReason | null;
};

export type LeaseState = {
  last: Observation;
  changedAt: number;
  holderSince: number | null;
  lastLeader: string | null;
  lastCause: AcquireCause | null;
  isExpired: boolean;
  isBlind: boolean;
  deletedAt: number | null;
  skew: SkewState | null;
};

export type TransitionEvent = {
  type: 'transition';
  kind: TransitionKind;
  cause: AcquireCause | null;
  at: number;
  atIso?: string;
  observedAt: number;
  fromHolder: string | null;
  toHolder: string | null;
  isRestart: boolean;
  leaderlessMs: number | null;
  overlapMs: number | null;
  leaseTransitions: number | null;
  missedCount: number;
  eventKey: string;
};

export type RenewalEvent = {
  type: 'renewal';
  holder: string;
  renewTime: MicroTime;
  observedAt: number;
  intervalMs: number | null;
  lagMs: number | null;
};

export type SkewEvent = {
  type: 'skew';
  holder: string;
  offsetMs: number;
  reason: SkewReason;
  observedAt: number;
};

export type SkewClearedEvent = {
  type: 'skew-cleared';
  holder: string;
  observedAt: number;
};

// leaseTransitions grew by more than the changes we saw, and no acquired/released event carries the count.
export type MissedEvent = {
  type: 'missed';
  count: number;
  fromTransitions: number;
  toTransitions: number;
  holder: string | null;
  observedAt: number;
  eventKey: string;
};

// The holder we declared expired renewed again without losing the lease: a paused or partitioned leader.
export type ResumedEvent = {
  type: 'resumed';
  holder: string;
  renewTime: MicroTime;
  expiredAt: number;
  observedAt: number;
  eventKey: string;
};

export type LeaseEvent = TransitionEvent | RenewalEvent | SkewEvent | SkewClearedEvent | MissedEvent | ResumedEvent;

export type DeriveResult = { state: LeaseState; events: LeaseEvent[] };
