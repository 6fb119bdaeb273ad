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
export { checkExpiry, deriveDeletion, deriveEvents, markBlind, nextExpiryCheckAt } from './derive';
export { isRenewalOnlyChange, stateFromStored, toStoredLease, type StoredLease } from './state';
