import { describe, expect, it } from 'vitest';
import { type StoredLease, confirmExpiry, deriveEvents, isRenewalOnlyChange, getExpiryDueAt, stateFromStored, toStoredLease } from '@/lib/leases';
import { T0, feed, leaseKey, observe, renewals, transitionsOf } from './factory';

const leading = feed(renewals('host-a_1', 0, 6000, 3)).state;

describe('stateFromStored', () => {
  it('rebuilds the lease facts from the stored row', () => {
    const state = stateFromStored(leaseKey, toStoredLease(leading));
    expect(state.last).toMatchObject({ key: leaseKey, uid: 'uid-1', holderIdentity: 'host-a_1', leaseDurationSeconds: 15, leaseTransitions: 3, resourceVersion: leading.last.resourceVersion });
    expect(state.last.renewTime?.ms).toBe(leading.last.renewTime?.ms);
    expect(state).toMatchObject({ holderSince: T0, lastCause: 'first', lastLeader: 'host-a_1', deletedAt: null, changedAt: leading.changedAt });
  });

  it('rebuilds a blind state: the process was not watching while it was down', () => {
    const state = stateFromStored(leaseKey, toStoredLease(leading));
    expect(state.isBlind).toBe(true);
    expect(getExpiryDueAt(state)).toBeNull();
  });

  it('re-anchors on the relisted object and keeps the expiry clock when nothing changed', () => {
    const rebuilt = stateFromStored(leaseKey, toStoredLease(leading));
    const { state, events } = deriveEvents(rebuilt, { ...leading.last, observedAt: T0 + 9000, source: 'list' });
    expect(events).toEqual([]);
    expect(state.last.renewTime?.iso).toBe(leading.last.renewTime?.iso);
    expect(getExpiryDueAt(state)).toBe(getExpiryDueAt(leading));
  });

  it('derives the same expiry key before and after a restart', () => {
    const before = confirmExpiry(leading, T0 + 60_000).events;
    const relisted = deriveEvents(stateFromStored(leaseKey, toStoredLease(leading)), { ...leading.last, observedAt: T0 + 50_000, source: 'list' }).state;
    const after = confirmExpiry(relisted, T0 + 60_000).events;
    expect(transitionsOf(before)).toHaveLength(1);
    expect(transitionsOf(after).map((event) => event.eventKey)).toEqual(transitionsOf(before).map((event) => event.eventKey));
  });

  it('derives a change made while down with cause unknown', () => {
    const rebuilt = stateFromStored(leaseKey, toStoredLease(leading));
    const { events } = deriveEvents(rebuilt, observe({ holder: 'host-b_1', acquire: 40_000, transitions: 4, source: 'list' }));
    expect(transitionsOf(events)).toMatchObject([{ cause: 'unknown', fromHolder: 'host-a_1', missedCount: 0 }]);
  });

  it('restores a deleted lease as deleted', () => {
    const row: StoredLease = { ...toStoredLease(leading), deletedAt: new Date(T0 + 9000) };
    expect(stateFromStored(leaseKey, row).deletedAt).toBe(T0 + 9000);
  });

  it('restores a skew suspicion with the reason its sign implies', () => {
    expect(stateFromStored(leaseKey, { ...toStoredLease(leading), skewSuspectedMs: 4000 }).skew).toEqual({ holder: 'host-a_1', lags: [], offsetMs: 4000, reason: 'future-renew', since: null });
    expect(stateFromStored(leaseKey, { ...toStoredLease(leading), skewSuspectedMs: -4000 }).skew?.reason).toBe('steady-offset');
  });

  it('restores the stored labels', () => {
    const labelled = deriveEvents(leading, observe({ holder: 'host-a_1', acquire: 0, renew: 8000, transitions: 3, labels: { tier: 'control-plane' } })).state;
    expect(stateFromStored(leaseKey, toStoredLease(labelled)).last.labels).toEqual({ tier: 'control-plane' });
  });

  it('reads an empty stored holder as no holder', () => {
    expect(stateFromStored(leaseKey, { ...toStoredLease(leading), holderIdentity: '' }).last.holderIdentity).toBeNull();
  });
});

describe('toStoredLease', () => {
  it('maps the state onto the Prisma Lease columns', () => {
    expect(toStoredLease(leading)).toEqual({
      kind: 'election',
      uid: 'uid-1',
      resourceVersion: leading.last.resourceVersion,
      holderIdentity: 'host-a_1',
      leaseDurationSeconds: 15,
      acquireTime: new Date(T0),
      renewTime: new Date(T0 + 6000),
      leaseTransitions: 3,
      strategy: null,
      preferredHolder: null,
      labels: {},
      observedAt: new Date(T0 + 6050),
      holderSince: new Date(T0),
      lastCause: 'first',
      skewSuspectedMs: null,
      deletedAt: null,
    });
  });
});

describe('isRenewalOnlyChange', () => {
  const next = (input: Parameters<typeof observe>[0]) => deriveEvents(leading, observe(input)).state;

  it('is false when a label changes value or goes away, true when the labels are equal in another order', () => {
    const labelled = deriveEvents(leading, observe({ holder: 'host-a_1', acquire: 0, renew: 8000, transitions: 3, labels: { a: '1', b: '2' } })).state;
    const after = (labels: Record<string, string>) => deriveEvents(labelled, observe({ holder: 'host-a_1', acquire: 0, renew: 10_000, transitions: 3, labels })).state;
    expect(isRenewalOnlyChange(labelled, after({ b: '2', a: '1' }))).toBe(true);
    expect(isRenewalOnlyChange(labelled, after({ a: '1', b: '3' }))).toBe(false);
    expect(isRenewalOnlyChange(labelled, after({ a: '1' }))).toBe(false);
    expect(isRenewalOnlyChange(labelled, after({ a: '1', c: '2' }))).toBe(false);
  });

  it('is true when only renewTime, resourceVersion and the change time moved', () => {
    expect(isRenewalOnlyChange(leading, next({ holder: 'host-a_1', acquire: 0, renew: 8000, transitions: 3 }))).toBe(true);
  });

  it.each([
    ['a new holder', { holder: 'host-b_1', acquire: 8000, renew: 8000, transitions: 4 }],
    ['a new acquireTime', { holder: 'host-a_1', acquire: 7000, renew: 8000, transitions: 3 }],
    ['a new duration', { holder: 'host-a_1', acquire: 0, renew: 8000, transitions: 3, duration: 30 }],
    ['more transitions', { holder: 'host-a_1', acquire: 0, renew: 8000, transitions: 5 }],
    ['a release', { holder: null, acquire: 8000, renew: 8000, transitions: 3, duration: 1 }],
    ['a new uid', { holder: 'host-a_1', acquire: 0, renew: 8000, transitions: 3, uid: 'uid-2' }],
    ['a new label', { holder: 'host-a_1', acquire: 0, renew: 8000, transitions: 3, labels: { tier: 'gold' } }],
  ])('is false for %s: the lease row must be rewritten', (_label, input) => {
    expect(isRenewalOnlyChange(leading, next(input))).toBe(false);
  });
});
