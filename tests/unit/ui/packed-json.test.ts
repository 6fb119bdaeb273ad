import { describe, expect, it } from 'vitest';
import { packJson, unpackJson } from '../../../lib/ui/packed-json';

const roundTrip = (value: unknown) => unpackJson(packJson(value));
const viaJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

const holders = ['cp-1', 'cp-2', 'cp-3'].map((host) => `${host}_${host}0000-0000-4000-8000-000000000000`);
const transitions = Array.from({ length: 500 }, (_, i) => ({
  id: String(i + 1),
  kind: 'acquired',
  cause: i % 10 === 0 ? 'early_takeover' : 'expiry',
  at: new Date(Date.UTC(2026, 10, 24) + i * 16_560).toISOString(),
  fromHolder: holders[(i + 2) % 3]!,
  toHolder: i === 7 ? null : holders[i % 3]!,
  isRestart: i % 7 === 0,
  leaderlessMs: i % 10 === 0 ? null : 2_000 + (i % 5) * 1_000,
  missedCount: 0,
}));

describe('packJson', () => {
  it('gives back the same data as JSON would', () => {
    const response = { transitions, hasMore: false, range: { from: '2026-11-24T00:00:00.000Z', to: '2026-11-25T00:00:00.000Z' } };
    expect(roundTrip(response)).toEqual(response);
  });

  it('is several times shorter than JSON for a long list of transitions', () => {
    expect(packJson({ transitions }).length * 3).toBeLessThan(JSON.stringify({ transitions }).length);
  });

  it('keeps values, order and nesting of lists it does not turn into columns', () => {
    const value = { short: [{ a: 1 }, { a: 2 }], mixed: [1, 'two', null, true, { three: [3] }], empty: [], nested: [[{ a: 1 }]], text: '' };
    expect(roundTrip(value)).toEqual(value);
  });

  it('keeps rows whose keys differ in name or order', () => {
    const rows = Array.from({ length: 10 }, (_, i) => (i === 5 ? { b: i, a: i } : { a: i, b: i }));
    const packed = roundTrip(rows) as Array<Record<string, number>>;
    expect(packed).toEqual(rows);
    expect(Object.keys(packed[5]!)).toEqual(['b', 'a']);
  });

  it('turns columns of nested values back into the same objects', () => {
    const rows = Array.from({ length: 10 }, (_, i) => ({ id: i, stats: { p50: i, tags: ['x', String(i)] }, points: Array.from({ length: 9 }, (_, j) => ({ at: j })) }));
    expect(roundTrip(rows)).toEqual(rows);
  });

  it('drops undefined and turns dates into text, as JSON does', () => {
    const rows = Array.from({ length: 10 }, (_, i) => ({ at: new Date(Date.UTC(2026, 0, 1, i)), note: i % 2 === 0 ? undefined : 'odd' }));
    const value = { rows, list: [undefined, 1], dates: Array.from({ length: 10 }, (_, i) => new Date(Date.UTC(2026, 0, i + 1))) };
    expect(roundTrip(value)).toEqual(viaJson(value));
  });

  it('does not mistake data that uses its own marker keys for packed columns', () => {
    const value = { '~t': [['a'], [[1]], 1], inner: { '~o': { a: 1 } }, rows: Array.from({ length: 10 }, (_, i) => ({ '~t': i, '~o': 'x' })) };
    expect(roundTrip(value)).toEqual(value);
  });

  it('writes a column of ISO times as millisecond differences, a few characters a time', () => {
    const times = { rows: transitions.map(({ at }, i) => ({ at, seen: new Date(Date.parse(at) + (i % 3) * 250).toISOString() })) };
    expect(roundTrip(times)).toEqual(times);
    // 500 rows × 2 times: as text 27 characters each; as differences of 16,560 ms and fewer.
    expect(packJson(times).length).toBeLessThan(500 * 2 * 7);
    expect(packJson(times)).not.toContain('2026-11-24T');
  });

  it('gives back ISO times out of order, and keeps columns of times written otherwise as text', () => {
    const shuffled = Array.from({ length: 10 }, (_, i) => ({ at: new Date(Date.UTC(2026, 0, 1) + ((i * 7) % 10) * 3_600_000 - i).toISOString() }));
    expect(roundTrip(shuffled)).toEqual(shuffled);
    const other = Array.from({ length: 10 }, (_, i) => ({ at: i === 4 ? '2026-01-01T04:00:00Z' : new Date(Date.UTC(2026, 0, 1, i)).toISOString() }));
    expect(roundTrip(other)).toEqual(other);
    expect(packJson(other)).toContain('2026-01-01T04:00:00Z');
    const invalid = Array.from({ length: 10 }, (_, i) => ({ at: i === 2 ? '2026-02-30T00:00:00.000Z' : new Date(Date.UTC(2026, 0, 1, i)).toISOString() }));
    expect(roundTrip(invalid)).toEqual(invalid);
    const withNull = Array.from({ length: 10 }, (_, i) => ({ at: i === 3 ? null : new Date(Date.UTC(2026, 0, 1, i)).toISOString() }));
    expect(roundTrip(withNull)).toEqual(withNull);
  });

  it('packs plain values', () => {
    for (const value of [null, true, 0, -1.5, 'text', []]) expect(roundTrip(value)).toEqual(value);
  });
});
