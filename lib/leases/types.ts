export type LeaseKey = { cluster: string; namespace: string; name: string };

export type LeaseKind = 'election' | 'node_heartbeat' | 'apiserver_identity';

// `unknown`: the change happened while we were blind (relist, 410, outage) or past changes we missed.
// `preferred_holder`: a coordinated election's end of term (spec.preferredHolder) handed the lease over.
export type AcquireCause = 'first' | 'release' | 'expiry' | 'early_takeover' | 'preferred_holder' | 'unknown';

// `reset`: the record went backwards (same uid, fewer leaseTransitions or an older acquireTime): an etcd
// restore or a re-created API server. The new record is taken as it is, never dropped as "older".
export type TransitionKind = 'acquired' | 'released' | 'expired' | 'deleted' | 'reset';

// `iso` is the text the API server sent (microseconds, kept for exact keys and storage); `ms` is for arithmetic.
export type MicroTime = { iso: string; ms: number };

// `read`: a direct read that confirms (or refutes) an expiry; it may be newer than what the watch delivered.
export type ObservationSource = 'watch' | 'list' | 'read';

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

// `since`: when the current episode began (null while none is open, or when rebuilt after a restart).
export type SkewState = {
  holder: string;
  lags: number[];
  offsetMs: number | null;
  reason: SkewReason | null;
  since: number | null;
};

export type LeaseState = {
  last: Observation;
  changedAt: number;
  holderSince: number | null;
  lastLeader: string | null;
  lastCause: AcquireCause | null;
  isExpired: boolean;
  isBlind: boolean;
  // Since when this lease has been observed without a break: an expiry is never dated before it.
  observedSince: number;
  // When the last change of leadership we recorded took place (null after a restart): the next one is
  // never dated before it, whatever the holders' clocks say.
  lastChangeAt: number | null;
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

// One skew episode: opened (or its offset revised) by `skew`, closed by `skew-cleared`.
export type SkewEvent = {
  type: 'skew';
  holder: string;
  offsetMs: number;
  reason: SkewReason;
  startedAt: number;
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
