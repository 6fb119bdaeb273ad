import type { MicroTime, Observation } from './types';

// Keys use only facts written in the Lease, so a replay, a relist or a restart derives the same key.
// The holder (free text) always comes last, which keeps the joined key unambiguous.
export function buildAcquiredKey(observation: Observation): string {
  const start = observation.acquireTime ?? observation.renewTime;
  return joinKey('acquired', observation.leaseTransitions, timeOrVersion(start, observation), observation.holderIdentity ?? '');
}

export function buildReleasedKey(observation: Observation): string {
  const releasedAt = observation.renewTime ?? observation.acquireTime;
  return joinKey('released', observation.leaseTransitions, timeOrVersion(releasedAt, observation));
}

export function buildExpiredKey(last: Observation): string {
  return joinKey('expired', last.leaseTransitions, timeOrVersion(last.renewTime, last), last.holderIdentity ?? '');
}

export function buildResumedKey(observation: Observation, renewTime: MicroTime): string {
  return joinKey('resumed', observation.leaseTransitions, renewTime.iso, observation.holderIdentity ?? '');
}

export function buildDeletedKey(last: Observation): string {
  return joinKey('deleted', last.uid ?? `rv:${last.resourceVersion}`);
}

export function buildResetKey(before: Observation, after: Observation): string {
  return joinKey('reset', before.leaseTransitions, after.leaseTransitions, timeOrVersion(after.acquireTime ?? after.renewTime, after), after.holderIdentity ?? '');
}

export function buildMissedKey(fromTransitions: number, toTransitions: number): string {
  return joinKey('missed', fromTransitions, toTransitions);
}

function timeOrVersion(time: MicroTime | null, observation: Observation): string {
  return time?.iso ?? `rv:${observation.resourceVersion}`;
}

function joinKey(...parts: (string | number | null)[]): string {
  return parts.map((part) => (part === null ? '-' : String(part))).join('|');
}
