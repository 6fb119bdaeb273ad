import { describe, expect, it } from 'vitest';
import { type LeaseState, type MicroTime, confirmExpiry, deriveDeletion, leaseKeyString, markBlind, parseMicroTime, stateFromStored, toStoredLease } from '@/lib/leases';
import { CompactLeaseStates } from '@/lib/leases/compact-state';
import { microTimeFromDate, packMicroTime, unpackMicroTime } from '@/lib/leases/micro-time';
import { T0, feed, leaseKey, observe, release, renewals } from './factory';

const key = leaseKeyString(leaseKey);

function roundTrip(state: LeaseState): LeaseState {
  const store = new CompactLeaseStates(leaseKey.cluster);
  store.set(key, state);
  return store.get(key)!;
}

// Labels are read once, to classify the lease; the compact state does not keep them.
const withoutLabels = (state: LeaseState): LeaseState => ({ ...state, last: { ...state.last, labels: {} } });

describe('packMicroTime', () => {
  it.each(['2026-11-24T10:05:02.654321Z', '2026-11-24T10:05:02.000001Z', '2026-11-24T10:05:02.999999Z', '2026-11-24T10:05:02.000000Z', '1969-12-31T23:59:59.999999Z', '1970-01-01T00:00:00.000000Z', '1700-03-01T00:00:00.123456Z', '2250-12-31T23:59:59.999999Z'])(
    'keeps %s to the microsecond, text and ms',
    (text) => {
      const time = parseMicroTime(text)!;
      const packed = packMicroTime(time);
      expect(packed).not.toBeNull();
      expect(unpackMicroTime(packed!)).toEqual(time);
    },
  );

  it('orders packed times as the times they are', () => {
    const a = packMicroTime(parseMicroTime('2026-11-24T10:05:02.654321Z')!)!;
    const b = packMicroTime(parseMicroTime('2026-11-24T10:05:02.654322Z')!)!;
    expect(b - a).toBe(1);
  });

  it.each([
    '2026-11-24T10:05:02.5Z',
    '2026-11-24T10:05:02.654321789Z',
    '2026-11-24T12:05:02.654321+02:00',
    '2026-11-24T10:05:02Z',
    '2026-11-24t10:05:02.654321z',
    '0001-01-01T00:00:00.000000Z',
    '9999-12-31T23:59:59.999999Z',
  ])('does not pack %s (its text would not come back)', (text) => {
    expect(packMicroTime(parseMicroTime(text)!)).toBeNull();
  });

  it('does not pack a time whose ms disagrees with its text', () => {
    expect(packMicroTime({ iso: '2026-11-24T10:05:02.654321Z', ms: 0 })).toBeNull();
  });
});

describe('CompactLeaseStates', () => {
  const leading = feed(renewals('host-a_1', 0, 6000, 3)).state;

  it('gives back the state it was given, times to the microsecond', () => {
    const exact = { ...leading, last: { ...leading.last, renewTime: parseMicroTime('2024-05-01T10:00:06.000007Z'), acquireTime: parseMicroTime('2024-05-01T10:00:00.999999Z') } };
    expect(roundTrip(exact)).toEqual(withoutLabels(exact));
    expect(roundTrip(exact).last.renewTime).toEqual({ iso: '2024-05-01T10:00:06.000007Z', ms: T0 + 6000 });
  });

  it('keeps every shape of state: skewed, expired, blind, released, deleted, rebuilt from its row', () => {
    const skewed = feed([observe({ holder: 'host-b_2', acquire: 0, renew: 0, at: -5000 }), observe({ holder: 'host-b_2', acquire: 0, renew: 2000, at: -3000 })]).state;
    expect(skewed.skew).not.toBeNull();
    const states: LeaseState[] = [
      leading,
      skewed,
      confirmExpiry(leading, T0 + 60_000).state,
      markBlind(leading),
      feed([release(8000, 3)], leading).state,
      deriveDeletion(leading, T0 + 9000).state,
      stateFromStored(leaseKey, toStoredLease(leading)),
      feed([observe({ holder: null, acquire: null, renew: null, transitions: null, duration: null, uid: null, rv: 'not-a-number', kind: 'apiserver_identity', source: 'list' })]).state,
      { ...leading, last: { ...leading.last, strategy: 'OldestEmulationVersion', preferredHolder: 'host-b_2', resourceVersion: '0012' } },
    ];
    for (const state of states) expect(roundTrip(state)).toEqual(withoutLabels(state));
  });

  it('gives back every resourceVersion as it came, decimal revisions and other text alike', () => {
    for (const version of ['0', '7', '4242', '123456789012345', '1234567890123456', '0012', '00', '12a', '-1', '+1', '1e3', ' 1', '1.0', '', '９']) {
      const state = { ...leading, last: { ...leading.last, resourceVersion: version } };
      expect(roundTrip(state).last.resourceVersion, JSON.stringify(version)).toBe(version);
    }
  });

  it('keeps a time it cannot pack as it came, ms included', () => {
    const fromDate = microTimeFromDate(new Date(T0 + 1234));
    const odd: MicroTime = { iso: '2024-05-01T12:00:01.5+02:00', ms: T0 + 1500 };
    const state = { ...leading, last: { ...leading.last, acquireTime: fromDate, renewTime: odd } };
    expect(roundTrip(state).last).toMatchObject({ acquireTime: fromDate, renewTime: odd });
  });

  it('is a map of the leases that have a state; an id may come first', () => {
    const store = new CompactLeaseStates('prod');
    store.setId('ns/new', 41);
    expect(store.has('ns/new')).toBe(false);
    expect(store.get('ns/new')).toBeUndefined();
    expect(store.size).toBe(0);
    store.set(key, leading);
    store.set('ns/new', { ...leading, last: { ...leading.last, key: { cluster: 'prod', namespace: 'ns', name: 'new' } } });
    store.set(key, markBlind(leading));
    expect(store.size).toBe(2);
    expect([...store.keys()]).toEqual(['ns/new', key]);
    expect(store.getId('ns/new')).toBe(41);
    expect(store.getId(key)).toBeUndefined();
    expect(store.get('ns/new')!.last.key).toEqual({ cluster: 'prod', namespace: 'ns', name: 'new' });
    expect(store.get(key)!.isBlind).toBe(true);
    expect(new Map(store)).toEqual(new Map([['ns/new', store.get('ns/new')], [key, store.get(key)]]));
  });

  it('grows past its first columns and keeps every lease', () => {
    const store = new CompactLeaseStates('prod');
    const stateOf = (index: number): LeaseState => {
      const state = feed(renewals(`host-${index % 7}_1`, index * 10, index * 10 + 2000, index)).state;
      return { ...state, last: { ...state.last, key: { cluster: 'prod', namespace: `team-${index % 5}`, name: `lease-${index}` }, labels: {} } };
    };
    for (let index = 0; index < 1000; index += 1) store.set(`team-${index % 5}/lease-${index}`, stateOf(index));
    expect(store.size).toBe(1000);
    for (const index of [0, 63, 64, 511, 999]) expect(store.get(`team-${index % 5}/lease-${index}`)).toEqual(stateOf(index));
  });

  it('interns the strings leases share, and forgets holders no lease holds any more', () => {
    const store = new CompactLeaseStates('prod');
    const at = (index: number, holder: string): LeaseState => ({ ...leading, lastLeader: holder, skew: null, last: { ...leading.last, holderIdentity: holder, key: { cluster: 'prod', namespace: `team-${index % 5}`, name: `lease-${index}` } } });
    for (let index = 0; index < 100; index += 1) store.set(`team-${index % 5}/lease-${index}`, at(index, `host-${index % 3}_1`));
    // Five namespaces and three holders, however many leases.
    expect(store.internedCount).toBe(8);
    // Every lease changes holder 50 times: the table stays bounded by what is live.
    for (let round = 0; round < 50; round += 1) for (let index = 0; index < 100; index += 1) store.set(`team-${index % 5}/lease-${index}`, at(index, `pod-${round}-${index}`));
    expect(store.internedCount).toBeLessThan(2 * 105 + 256 + 1);
    expect(store.get('team-1/lease-1')!.last.holderIdentity).toBe('pod-49-1');
    expect(store.get('team-1/lease-1')!.lastLeader).toBe('pod-49-1');
  });

  it('refuses a value it has no place for instead of storing another', () => {
    const store = new CompactLeaseStates('prod');
    expect(() => store.set(key, { ...leading, lastCause: 'bogus' as never })).toThrow(/cannot keep bogus/);
  });
});
