import { judgeAcquisition, unknownJudgement } from './acquisition';
import { boundedAt } from './bounded-time';
import { buildAcquiredKey, buildDeletedKey, buildExpiredKey, buildMissedKey, buildReleasedKey, buildResetKey, buildResumedKey } from './event-key';
import { isHolderRestart } from './holder-identity';
import { compareLeaseRecords, getTenureStart, isRecordReset, isSameLeaseRecord } from './lease-record';
import { type DeriveOptions, defaultDeriveOptions, isLeaseKindTracked } from './options';
import { endSkew, updateSkew } from './skew';
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
  const events = [event, ...endSkew(prev.skew, observedAt)];
  return keepTracked({ state: { ...prev, deletedAt: observedAt, isBlind: false, skew: null, lastChangeAt: observedAt }, events }, last.kind, options);
}

// Call as soon as changes may go unseen (watch history lost, restart, a cluster that cannot be read):
// the next observation attributes what changed meanwhile to `unknown`, and no expiry is due until then.
export function markBlind(state: LeaseState): LeaseState {
  return state.isBlind ? state : { ...state, isBlind: true };
}

// When an expiry becomes due, on our clock. Due is not recorded: an expiry needs confirming first
// (a read of the Lease at or after this moment that shows the same record; see reconcile.ts).
export function getExpiryDueAt(state: LeaseState, options: DeriveOptions = defaultDeriveOptions): number | null {
  const expiresAt = getExpiresAt(state);
  if (expiresAt === null || state.isExpired || state.isBlind || state.deletedAt !== null) return null;
  return isLeaseKindTracked(state.last.kind, options) ? expiresAt + options.skewMarginMs : null;
}

// The record read at `confirmedAt` (>= the due time) is the one we hold: nobody renewed or took over.
// The lease ran out at its expiry moment, but never before we could see it without a break.
export function confirmExpiry(state: LeaseState, confirmedAt: number, options: DeriveOptions = defaultDeriveOptions): DeriveResult {
  const dueAt = getExpiryDueAt(state, options);
  const expiresAt = getExpiresAt(state);
  if (dueAt === null || expiresAt === null || confirmedAt < dueAt) return { state, events: [] };
  const last = state.last;
  const event = buildTransition({
    kind: 'expired',
    at: Math.max(expiresAt, state.observedSince),
    observedAt: confirmedAt,
    fromHolder: last.holderIdentity,
    leaseTransitions: last.leaseTransitions,
    eventKey: buildExpiredKey(last),
  });
  return { state: { ...state, isExpired: true, skew: null, lastChangeAt: event.at }, events: [event, ...endSkew(state.skew, confirmedAt)] };
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
  if (compareLeaseRecords(observation, prev.last) < 0) {
    // A direct read can run ahead of the watch: what the watch delivers after it is old news, not a reset.
    if (observation.source === 'watch' && prev.last.source === 'read') return { state: prev, events: [] };
    if (isRecordReset(prev.last, observation)) return deriveReset(prev, observation, options);
  }
  return deriveChange(prev, observation, options);
}

// The record did not change, so the expiry clock keeps running from when it last did.
function adoptUnchanged(prev: LeaseState, observation: Observation): DeriveResult {
  if (!prev.isBlind && observation.resourceVersion === prev.last.resourceVersion) return { state: prev, events: [] };
  const observedSince = prev.isBlind ? observation.observedAt : prev.observedSince;
  return { state: { ...prev, last: observation, isBlind: false, observedSince }, events: [] };
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
    holderSince: holder === null ? null : getBoundedTenureStart(observation),
    lastLeader: holder,
    lastCause: isElectionHeld ? cause : null,
    isExpired: false,
    isBlind: false,
    observedSince: observation.observedAt,
    lastChangeAt: getLastChangeAt(events, null),
    deletedAt: null,
    skew: renewal.skew,
  };
  return { state, events };
}

// The record went backwards: take it as it is (who holds it now is what matters), and say so.
function deriveReset(prev: LeaseState, observation: Observation, options: DeriveOptions): DeriveResult {
  const holder = observation.holderIdentity;
  const { observedAt } = observation;
  const events: LeaseEvent[] = [
    buildTransition({
      kind: 'reset',
      at: observedAt,
      observedAt,
      fromHolder: prev.last.holderIdentity,
      toHolder: holder,
      leaseTransitions: observation.leaseTransitions,
      eventKey: buildResetKey(prev.last, observation),
    }),
    ...endSkew(prev.skew, observedAt),
  ];
  const renewal = deriveRenewal(null, observation, null, options);
  events.push(...renewal.events);
  const isSameHolder = holder !== null && holder === prev.last.holderIdentity;
  const state: LeaseState = {
    last: observation,
    changedAt: observedAt,
    holderSince: holder === null ? null : isSameHolder ? prev.holderSince : observedAt,
    lastLeader: holder ?? prev.lastLeader,
    lastCause: observation.kind === 'election' && holder !== null ? (isSameHolder ? prev.lastCause : 'unknown') : null,
    isExpired: false,
    isBlind: false,
    observedSince: prev.isBlind ? observedAt : prev.observedSince,
    lastChangeAt: observedAt,
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
  const transitionsGrown = (observation.leaseTransitions ?? 0) - (before.leaseTransitions ?? 0);
  // A holder re-acquiring its own lease matters once we told the world its leadership had ended, or
  // when a blind spot hid that it lost and regained it (the record counts the changes).
  const isTenureRestarted = before.acquireTime?.iso !== observation.acquireTime?.iso;
  const isReacquired = !isHolderChanged && holder !== null && isTenureRestarted && (prev.isExpired || (prev.isBlind && transitionsGrown > 0));
  const isAcquired = isElection && holder !== null && (isHolderChanged || isReacquired);
  const isReleased = isElection && before.holderIdentity !== null && holder === null;
  const missedCount = isElection ? countMissed(before.leaseTransitions, observation.leaseTransitions, isAcquired ? 1 : 0) : 0;
  const isRenewed = holder !== null && observation.renewTime?.iso !== before.renewTime?.iso;

  const events: LeaseEvent[] = [];
  let cause = prev.lastCause;
  if (isAcquired) {
    const judgement = prev.isBlind || missedCount > 0 ? unknownJudgement : judgeAcquisition(prev, observation, options);
    // We knew who led last, even when changes between then and now went unseen (counted as missed).
    const fromHolder = before.holderIdentity ?? prev.lastLeader;
    events.push(notBefore(buildAcquired(observation, { ...judgement, fromHolder, missedCount }), getPreviousChangeAt(prev)));
    cause = judgement.cause;
  } else if (isReleased) {
    events.push(notBefore(buildReleased(observation, missedCount > 0 ? null : before.holderIdentity, missedCount), getPreviousChangeAt(prev)));
  } else if (missedCount > 0) {
    events.push(...buildMissed(before, observation, missedCount));
  }
  if (prev.isExpired && !isHolderChanged && !isReacquired && isRenewed) events.push(...buildResumed(prev, observation));

  const isSameTenure = !isHolderChanged && !isReacquired;
  const rawIntervalMs = isSameTenure && !prev.isBlind && before.renewTime !== null && observation.renewTime !== null ? observation.renewTime.ms - before.renewTime.ms : null;
  // A renewTime that went back is the holder's clock being corrected, not an interval.
  const intervalMs = rawIntervalMs !== null && rawIntervalMs >= 0 ? rawIntervalMs : null;
  const currentSkew = holder !== null && prev.skew?.holder === holder && isSameTenure ? prev.skew : null;
  if (currentSkew === null) events.push(...endSkew(prev.skew, observation.observedAt));
  const renewal = isRenewed ? deriveRenewal(currentSkew, observation, intervalMs, options) : { events: [], skew: currentSkew };
  events.push(...renewal.events);

  const state: LeaseState = {
    last: observation,
    changedAt: observation.observedAt,
    holderSince: holder === null ? null : isSameTenure ? prev.holderSince : Math.max(getBoundedTenureStart(observation), getPreviousChangeAt(prev) ?? -Infinity),
    lastLeader: holder ?? (missedCount > 0 ? null : prev.lastLeader),
    lastCause: isElection ? cause : null,
    isExpired: false,
    isBlind: false,
    observedSince: prev.isBlind ? observation.observedAt : prev.observedSince,
    lastChangeAt: getLastChangeAt(events, prev.lastChangeAt),
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

// A list or read reply arrives long after the write it shows: its lag is no delivery lag, so it stays
// out of the renew-latency series, and reaches the skew estimate only as evidence of a renewTime in our future.
function deriveRenewal(skew: SkewState | null, observation: Observation, intervalMs: number | null, options: DeriveOptions): { events: LeaseEvent[]; skew: SkewState | null } {
  const { holderIdentity: holder, renewTime, observedAt } = observation;
  if (holder === null || renewTime === null) return { events: [], skew };
  const lagMs = observedAt - renewTime.ms;
  const isWatched = observation.source === 'watch';
  const renewal: LeaseEvent = { type: 'renewal', holder, renewTime, observedAt, intervalMs, lagMs: isWatched ? lagMs : null };
  // An acquireTime in our future is as impossible as a renewTime there: either raises skew at once.
  const acquireLagMs = observation.acquireTime === null ? lagMs : observedAt - observation.acquireTime.ms;
  const evidenceMs = Math.min(lagMs, acquireLagMs);
  if (!isWatched && evidenceMs >= 0) return { events: [renewal], skew };
  const updated = updateSkew(skew, holder, evidenceMs, observedAt, options.skew);
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

// When the lease's previous change of state took place: a later change is never dated before it, so
// holder spans and leaderless spans cannot overlap whatever the holders' clocks say.
function getPreviousChangeAt(prev: LeaseState): number | null {
  if (prev.lastChangeAt !== null) return prev.lastChangeAt;
  if (prev.isExpired) return Math.max(getExpiresAt(prev) ?? prev.changedAt, prev.observedSince);
  if (prev.last.holderIdentity !== null) return prev.holderSince;
  return boundedAt(prev.last.renewTime ?? prev.last.acquireTime, prev.last.observedAt).at;
}

function getLastChangeAt(events: LeaseEvent[], fallback: number | null): number | null {
  const last = events.findLast((event): event is TransitionEvent => event.type === 'transition');
  return last ? last.at : fallback;
}

function notBefore(event: TransitionEvent, earliest: number | null): TransitionEvent {
  if (earliest === null || event.at >= earliest) return event;
  const { atIso: _exact, ...rest } = event;
  return { ...rest, at: earliest };
}

// Held since: the record's tenure start, never later than we saw it (a holder's clock may run ahead).
function getBoundedTenureStart(observation: Observation): number {
  const start = getTenureStart(observation);
  return start === null ? observation.observedAt : Math.min(start.ms, observation.observedAt);
}

type AcquiredFacts = { cause: AcquireCause; fromHolder: string | null; missedCount: number; leaderlessMs: number | null; overlapMs: number | null };

function buildAcquired(observation: Observation, facts: AcquiredFacts): TransitionEvent {
  const start = boundedAt(getTenureStart(observation), observation.observedAt);
  return buildTransition({
    kind: 'acquired',
    cause: facts.cause,
    ...start,
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
  const releasedAt = boundedAt(observation.renewTime ?? observation.acquireTime, observation.observedAt);
  return buildTransition({
    kind: 'released',
    ...releasedAt,
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
