import { judgeAcquisition, unknownJudgement } from './acquisition';
import { buildAcquiredKey, buildDeletedKey, buildExpiredKey, buildMissedKey, buildReleasedKey, buildResumedKey } from './event-key';
import { isHolderRestart } from './holder-identity';
import { compareLeaseRecords, getTenureStart, isSameLeaseRecord } from './lease-record';
import { type DeriveOptions, defaultDeriveOptions, isLeaseKindTracked } from './options';
import { updateSkew } from './skew';
import type { AcquireCause, DeriveResult, LeaseEvent, LeaseKind, LeaseState, MissedEvent, Observation, ResumedEvent, SkewState, TransitionEvent } from './types';

export function deriveEvents(prev: LeaseState | undefined, observation: Observation, options: DeriveOptions = defaultDeriveOptions): DeriveResult {
  const result = prev === undefined ? deriveFirstSighting(observation, 'first', options) : deriveNext(prev, observation, options);
  return keepTracked(result, observation.kind, options);
}

export function deriveDeletion(prev: LeaseState, observedAt: number, options: DeriveOptions = defaultDeriveOptions): DeriveResult {
  if (prev.deletedAt !== null) return { state: prev, events: [] };
  const last = prev.last;
  const event = buildTransition({
    kind: 'deleted',
    at: observedAt,
    observedAt,
    fromHolder: last.holderIdentity,
    leaseTransitions: last.leaseTransitions,
    eventKey: buildDeletedKey(last),
  });
  return keepTracked({ state: { ...prev, deletedAt: observedAt, isBlind: false }, events: [event] }, last.kind, options);
}

// Call as soon as changes may go unseen (watch lost, 410, restart): the next observation attributes
// what changed meanwhile to `unknown`, and silence stops counting as evidence of expiry.
export function markBlind(state: LeaseState): LeaseState {
  return state.isBlind ? state : { ...state, isBlind: true };
}

export function nextExpiryCheckAt(state: LeaseState, options: DeriveOptions = defaultDeriveOptions): number | null {
  const expiresAt = getExpiresAt(state);
  if (expiresAt === null || state.isExpired || state.isBlind || state.deletedAt !== null) return null;
  return isLeaseKindTracked(state.last.kind, options) ? expiresAt + options.skewMarginMs : null;
}

export function checkExpiry(state: LeaseState, now: number, options: DeriveOptions = defaultDeriveOptions): DeriveResult {
  const dueAt = nextExpiryCheckAt(state, options);
  if (dueAt === null || now < dueAt) return { state, events: [] };
  const last = state.last;
  const event = buildTransition({
    kind: 'expired',
    at: dueAt - options.skewMarginMs,
    observedAt: now,
    fromHolder: last.holderIdentity,
    leaseTransitions: last.leaseTransitions,
    eventKey: buildExpiredKey(last),
  });
  return { state: { ...state, isExpired: true }, events: [event] };
}

// Like client-go's candidates, count from when we saw the record change, on our own clock: renewTime
// is written by the holder's clock, and a skewed holder would make us declare expiry early or late.
function getExpiresAt(state: LeaseState): number | null {
  const { holderIdentity, leaseDurationSeconds } = state.last;
  if (holderIdentity === null || leaseDurationSeconds === null) return null;
  return state.changedAt + leaseDurationSeconds * 1000;
}

function deriveNext(prev: LeaseState, observation: Observation, options: DeriveOptions): DeriveResult {
  const { uid } = observation;
  if (prev.deletedAt !== null) {
    return uid !== null && uid === prev.last.uid ? { state: prev, events: [] } : deriveFirstSighting(observation, 'first', options);
  }
  if (uid !== null && prev.last.uid !== null && uid !== prev.last.uid) return deriveFirstSighting(observation, 'unknown', options);
  if (observation.resourceVersion === prev.last.resourceVersion || isSameLeaseRecord(observation, prev.last)) {
    return adoptUnchanged(prev, observation);
  }
  if (compareLeaseRecords(observation, prev.last) < 0) return { state: prev, events: [] };
  return deriveChange(prev, observation, options);
}

// The record did not change, so the expiry clock keeps running from when it last did.
function adoptUnchanged(prev: LeaseState, observation: Observation): DeriveResult {
  if (!prev.isBlind && observation.resourceVersion === prev.last.resourceVersion) return { state: prev, events: [] };
  return { state: { ...prev, last: observation, isBlind: false }, events: [] };
}

// A lease first seen with leaseTransitions > 0 is history from before we looked, never missed changes.
function deriveFirstSighting(observation: Observation, cause: AcquireCause, options: DeriveOptions): DeriveResult {
  const holder = observation.holderIdentity;
  const isElectionHeld = observation.kind === 'election' && holder !== null;
  const events: LeaseEvent[] = [];
  if (isElectionHeld) events.push(buildAcquired(observation, { cause, fromHolder: null, missedCount: 0, leaderlessMs: null, overlapMs: null }));
  const renewal = deriveRenewal(null, observation, null, options);
  events.push(...renewal.events);
  const state: LeaseState = {
    last: observation,
    changedAt: observation.observedAt,
    holderSince: holder === null ? null : (getTenureStart(observation)?.ms ?? observation.observedAt),
    lastLeader: holder,
    lastCause: isElectionHeld ? cause : null,
    isExpired: false,
    isBlind: false,
    deletedAt: null,
    skew: renewal.skew,
  };
  return { state, events };
}

function deriveChange(prev: LeaseState, observation: Observation, options: DeriveOptions): DeriveResult {
  const before = prev.last;
  const holder = observation.holderIdentity;
  const isElection = observation.kind === 'election';
  const isHolderChanged = before.holderIdentity !== holder;
  // A holder re-acquiring its own lease only matters once we told the world its leadership had ended.
  const isReacquired = !isHolderChanged && holder !== null && prev.isExpired && before.acquireTime?.iso !== observation.acquireTime?.iso;
  const isAcquired = isElection && holder !== null && (isHolderChanged || isReacquired);
  const isReleased = isElection && before.holderIdentity !== null && holder === null;
  const missedCount = isElection ? countMissed(before.leaseTransitions, observation.leaseTransitions, isAcquired ? 1 : 0) : 0;
  const isRenewed = holder !== null && observation.renewTime?.iso !== before.renewTime?.iso;

  const events: LeaseEvent[] = [];
  let cause = prev.lastCause;
  if (isAcquired) {
    const judgement = prev.isBlind || missedCount > 0 ? unknownJudgement : judgeAcquisition(prev, observation, options);
    const fromHolder = missedCount > 0 ? null : (before.holderIdentity ?? prev.lastLeader);
    events.push(buildAcquired(observation, { ...judgement, fromHolder, missedCount }));
    cause = judgement.cause;
  } else if (isReleased) {
    events.push(buildReleased(observation, missedCount > 0 ? null : before.holderIdentity, missedCount));
  } else if (missedCount > 0) {
    events.push(...buildMissed(before, observation, missedCount));
  }
  if (prev.isExpired && !isHolderChanged && !isReacquired && isRenewed) events.push(...buildResumed(prev, observation));

  const isSameTenure = !isHolderChanged && !isReacquired;
  const intervalMs = isSameTenure && !prev.isBlind && before.renewTime !== null && observation.renewTime !== null ? observation.renewTime.ms - before.renewTime.ms : null;
  const currentSkew = holder !== null && prev.skew?.holder === holder ? prev.skew : null;
  const renewal = isRenewed ? deriveRenewal(currentSkew, observation, intervalMs, options) : { events: [], skew: currentSkew };
  events.push(...renewal.events);

  const state: LeaseState = {
    last: observation,
    changedAt: observation.observedAt,
    holderSince: holder === null ? null : isSameTenure ? prev.holderSince : (getTenureStart(observation)?.ms ?? observation.observedAt),
    lastLeader: holder ?? (missedCount > 0 ? null : prev.lastLeader),
    lastCause: isElection ? cause : null,
    isExpired: false,
    isBlind: false,
    deletedAt: null,
    skew: renewal.skew,
  };
  return { state, events };
}

// client-go adds one to leaseTransitions per acquisition and none on release; anything beyond is unseen.
function countMissed(from: number | null, to: number | null, expected: number): number {
  if (from === null || to === null) return 0;
  return Math.max(0, to - from - expected);
}

// A list reply arrives long after the write it shows: its lag is no delivery lag, so it stays out of
// the renew-latency series, and reaches the skew estimate only as evidence of a renewTime in our future.
function deriveRenewal(skew: SkewState | null, observation: Observation, intervalMs: number | null, options: DeriveOptions): { events: LeaseEvent[]; skew: SkewState | null } {
  const { holderIdentity: holder, renewTime, observedAt } = observation;
  if (holder === null || renewTime === null) return { events: [], skew };
  const lagMs = observedAt - renewTime.ms;
  const isWatched = observation.source === 'watch';
  const renewal: LeaseEvent = { type: 'renewal', holder, renewTime, observedAt, intervalMs, lagMs: isWatched ? lagMs : null };
  if (!isWatched && lagMs >= 0) return { events: [renewal], skew };
  const updated = updateSkew(skew, holder, lagMs, observedAt, options.skew);
  return { events: [renewal, ...updated.events], skew: updated.skew };
}

function buildMissed(before: Observation, observation: Observation, count: number): MissedEvent[] {
  const from = before.leaseTransitions;
  const to = observation.leaseTransitions;
  if (from === null || to === null) return [];
  const { holderIdentity: holder, observedAt } = observation;
  return [{ type: 'missed', count, fromTransitions: from, toTransitions: to, holder, observedAt, eventKey: buildMissedKey(from, to) }];
}

function buildResumed(prev: LeaseState, observation: Observation): ResumedEvent[] {
  const { holderIdentity: holder, renewTime, observedAt } = observation;
  if (holder === null || renewTime === null) return [];
  const expiredAt = getExpiresAt(prev) ?? prev.changedAt;
  return [{ type: 'resumed', holder, renewTime, expiredAt, observedAt, eventKey: buildResumedKey(observation, renewTime) }];
}

type AcquiredFacts = { cause: AcquireCause; fromHolder: string | null; missedCount: number; leaderlessMs: number | null; overlapMs: number | null };

function buildAcquired(observation: Observation, facts: AcquiredFacts): TransitionEvent {
  const start = getTenureStart(observation);
  return buildTransition({
    kind: 'acquired',
    cause: facts.cause,
    at: start?.ms ?? observation.observedAt,
    atIso: start?.iso,
    observedAt: observation.observedAt,
    fromHolder: facts.fromHolder,
    toHolder: observation.holderIdentity,
    isRestart: isHolderRestart(facts.fromHolder, observation.holderIdentity),
    leaderlessMs: facts.leaderlessMs,
    overlapMs: facts.overlapMs,
    leaseTransitions: observation.leaseTransitions,
    missedCount: facts.missedCount,
    eventKey: buildAcquiredKey(observation),
  });
}

function buildReleased(observation: Observation, fromHolder: string | null, missedCount: number): TransitionEvent {
  const releasedAt = observation.renewTime ?? observation.acquireTime;
  return buildTransition({
    kind: 'released',
    at: releasedAt?.ms ?? observation.observedAt,
    atIso: releasedAt?.iso,
    observedAt: observation.observedAt,
    fromHolder,
    leaseTransitions: observation.leaseTransitions,
    missedCount,
    eventKey: buildReleasedKey(observation),
  });
}

type TransitionFacts = Pick<TransitionEvent, 'kind' | 'at' | 'observedAt' | 'fromHolder' | 'leaseTransitions' | 'eventKey'> &
  Partial<Pick<TransitionEvent, 'cause' | 'toHolder' | 'isRestart' | 'leaderlessMs' | 'overlapMs' | 'missedCount'>> & { atIso?: string | undefined };

function buildTransition(facts: TransitionFacts): TransitionEvent {
  const { atIso, ...rest } = facts;
  return {
    type: 'transition',
    cause: null,
    toHolder: null,
    isRestart: false,
    leaderlessMs: null,
    overlapMs: null,
    missedCount: 0,
    ...rest,
    ...(atIso === undefined ? {} : { atIso }),
  };
}

function keepTracked(result: DeriveResult, kind: LeaseKind, options: DeriveOptions): DeriveResult {
  return isLeaseKindTracked(kind, options) ? result : { state: result.state, events: [] };
}
