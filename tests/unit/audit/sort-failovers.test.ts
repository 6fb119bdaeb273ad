import { describe, expect, it } from 'vitest';
import { sortFailovers } from '../../../lib/audit/sort-failovers';

const row = (id: string, at: string, partial: Partial<{ cluster: string; name: string; cause: string; leaderlessMs: number | null }> = {}) => ({
  id,
  at: `2026-11-23T10:${at}Z`,
  cluster: 'eu',
  namespace: 'kube-system',
  name: 'kube-scheduler',
  cause: 'expiry',
  leaderlessMs: null,
  ...partial,
});

const rows = [
  row('1', '00:00', { cluster: 'us', leaderlessMs: 500 }),
  row('2', '01:00', { name: 'kube-controller-manager', cause: 'unknown' }),
  row('3', '02:00', { cluster: 'us', cause: 'early_takeover', leaderlessMs: 0 }),
  row('4', '03:00', { leaderlessMs: 3_000 }),
];
const ids = (sorted: Array<{ id: string }>) => sorted.map((r) => r.id);

describe('sortFailovers', () => {
  it('sorts by time either way', () => {
    expect(ids(sortFailovers(rows, 'time', 'asc'))).toEqual(['1', '2', '3', '4']);
    expect(ids(sortFailovers(rows, 'time', 'desc'))).toEqual(['4', '3', '2', '1']);
  });

  it('breaks ties by time, oldest first, whatever the direction', () => {
    expect(ids(sortFailovers(rows, 'cluster', 'asc'))).toEqual(['2', '4', '1', '3']);
    expect(ids(sortFailovers(rows, 'cluster', 'desc'))).toEqual(['1', '3', '2', '4']);
  });

  it('sorts by lease, cause and leaderless time, unknown leaderless time last when descending', () => {
    expect(ids(sortFailovers(rows, 'lease', 'asc'))).toEqual(['2', '1', '3', '4']);
    expect(ids(sortFailovers(rows, 'cause', 'asc'))).toEqual(['3', '1', '4', '2']);
    expect(ids(sortFailovers(rows, 'leaderless', 'desc'))).toEqual(['4', '1', '3', '2']);
  });

  it('leaves its input alone', () => {
    const input = [...rows];
    sortFailovers(input, 'time', 'desc');
    expect(ids(input)).toEqual(['1', '2', '3', '4']);
  });
});
