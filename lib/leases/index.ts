export type {
  AcquireCause,
  DeriveResult,
  LeaseEvent,
  LeaseKey,
  LeaseKind,
  LeaseState,
  MicroTime,
  MissedEvent,
  Observation,
  ObservationSource,
  RenewalEvent,
  ResumedEvent,
  SkewClearedEvent,
  SkewEvent,
  SkewReason,
  SkewState,
  TransitionEvent,
  TransitionKind,
} from './types';
export { classifyLease } from './classify';
export { parseLease, parseLeases, type MalformedLease, type ParseContext, type ParseResult } from './parse';
export { parseMicroTime } from './micro-time';
export { getHolderHost, isHolderRestart } from './holder-identity';
export { defaultDeriveOptions, isLeaseKindTracked, type DeriveOptions, type SkewOptions } from './options';
export { confirmExpiry, deriveDeletion, deriveEvents, getExpiryDueAt, markBlind } from './derive';
export { boundedAt } from './bounded-time';
export { isRenewalOnlyChange, stateFromStored, toStoredLease, type StoredLease } from './state';
export { clampForStorage, clampInt4, int4Max, isBeyondColumns } from './storable';
export {
  emptyStream,
  leaseKeyString,
  reconcile,
  type Blindness,
  type ClusterModel,
  type ClusterWrites,
  type Deferral,
  type GapReason,
  type GapWrite,
  type LeaseRowWrite,
  type ReconcileOptions,
  type ReconcileResult,
  type SourceEvent,
  type StreamModel,
  type TransitionRow,
} from './reconcile';
