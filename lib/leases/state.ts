import { microTimeFromDate } from './micro-time';
import { skewFromStored } from './skew';
import type { AcquireCause, LeaseKey, LeaseKind, LeaseState, MicroTime } from './types';

// The columns of the Prisma `Lease` row that rebuild a LeaseState; a Prisma row is assignable as is.
export type StoredLease = {
  kind: LeaseKind;
  uid: string | null;
  resourceVersion: string | null;
  holderIdentity: string | null;
  leaseDurationSeconds: number | null;
  acquireTime: Date | null;
  renewTime: Date | null;
  leaseTransitions: number | null;
  strategy: string | null;
  preferredHolder: string | null;
  labels: Record<string, string>;
  observedAt: Date;
  holderSince: Date | null;
  lastCause: AcquireCause | null;
  skewSuspectedMs: number | null;
  deletedAt: Date | null;
};

// A rebuilt state is blind: we were not watching while the process was down, and the Date columns
// lost the microseconds. The first observation (a relist item) re-anchors it with the exact text.
export function stateFromStored(key: LeaseKey, row: StoredLease): LeaseState {
  const observedAt = row.observedAt.getTime();
  return {
    last: {
      key,
      uid: row.uid,
      resourceVersion: row.resourceVersion ?? '',
      kind: row.kind,
      holderIdentity: row.holderIdentity || null,
      leaseDurationSeconds: row.leaseDurationSeconds,
      acquireTime: toMicroTime(row.acquireTime),
      renewTime: toMicroTime(row.renewTime),
      leaseTransitions: row.leaseTransitions,
      strategy: row.strategy,
      preferredHolder: row.preferredHolder,
      labels: row.labels,
      observedAt,
      source: 'list',
    },
    changedAt: observedAt,
    holderSince: row.holderSince?.getTime() ?? null,
    lastLeader: row.holderIdentity || null,
    lastCause: row.lastCause,
    isExpired: false,
    isBlind: true,
    observedSince: observedAt,
    lastChangeAt: null,
    deletedAt: row.deletedAt?.getTime() ?? null,
    skew: skewFromStored(row.holderIdentity || null, row.skewSuspectedMs),
  };
}

// observedAt is when the record last changed, so a rebuilt state keeps the expiry clock where it was.
export function toStoredLease(state: LeaseState): StoredLease {
  const { last } = state;
  return {
    kind: last.kind,
    uid: last.uid,
    resourceVersion: last.resourceVersion,
    holderIdentity: last.holderIdentity,
    leaseDurationSeconds: last.leaseDurationSeconds,
    acquireTime: toDate(last.acquireTime),
    renewTime: toDate(last.renewTime),
    leaseTransitions: last.leaseTransitions,
    strategy: last.strategy,
    preferredHolder: last.preferredHolder,
    labels: last.labels,
    observedAt: new Date(state.changedAt),
    holderSince: state.holderSince === null ? null : new Date(state.holderSince),
    lastCause: state.lastCause,
    skewSuspectedMs: state.skew?.offsetMs ?? null,
    deletedAt: state.deletedAt === null ? null : new Date(state.deletedAt),
  };
}

function toMicroTime(date: Date | null): MicroTime | null {
  return date === null ? null : microTimeFromDate(date);
}

function toDate(time: MicroTime | null): Date | null {
  return time === null ? null : new Date(time.ms);
}

const sameTime = (a: MicroTime | null, b: MicroTime | null) => (a === null || b === null ? a === b : a.iso === b.iso);

// True when the stored row of `prev` and `next` would differ only in what every renewal changes
// (renewTime, when the record changed, resourceVersion). Those live in the renew samples, so the
// ingest path skips rewriting the lease row for them: the row is as of the last other change.
export function isRenewalOnlyChange(prev: LeaseState, next: LeaseState): boolean {
  const a = prev.last;
  const b = next.last;
  return (
    a.kind === b.kind &&
    a.uid === b.uid &&
    a.holderIdentity === b.holderIdentity &&
    a.leaseDurationSeconds === b.leaseDurationSeconds &&
    sameTime(a.acquireTime, b.acquireTime) &&
    a.leaseTransitions === b.leaseTransitions &&
    a.strategy === b.strategy &&
    a.preferredHolder === b.preferredHolder &&
    isSameLabels(a.labels, b.labels) &&
    prev.holderSince === next.holderSince &&
    prev.lastCause === next.lastCause &&
    (prev.skew?.offsetMs ?? null) === (next.skew?.offsetMs ?? null) &&
    prev.deletedAt === next.deletedAt
  );
}

function isSameLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  if (a === b) return true;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => Object.hasOwn(b, key) && a[key] === b[key]);
}
