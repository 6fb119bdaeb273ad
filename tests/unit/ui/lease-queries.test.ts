import { describe, expect, it } from 'vitest';
import { annotationsQuery } from '../../../lib/api/audit-schemas';
import { gapsQuery, renewalsQuery, transitionsQuery } from '../../../lib/api/schemas';
import { TRANSITIONS_LIMIT, leaseHistorySearch, leaseQueryKeys, resolveHistoryWindow } from '../../../lib/ui/lease-queries';
import type { RangeSelection } from '../../../lib/ui/time-range';

const now = Date.parse('2026-11-24T12:00:00.123Z');
const key = { cluster: 'prod eu', namespace: 'kube-system', name: 'kube-scheduler' };
const preset: RangeSelection = { range: '24h', from: null, to: null, at: null };

describe('resolveHistoryWindow', () => {
  it('keys a sliding preset by the preset, so the window can move without a new cache entry', () => {
    expect(resolveHistoryWindow(preset, now)).toEqual({ from: now - 86_400_000, to: now, rangeKey: '24h' });
    expect(resolveHistoryWindow(preset, now + 5_000).rangeKey).toBe('24h');
  });

  it('keys a custom range by its bounds', () => {
    const selection = { ...preset, from: '2026-11-24T10:00:00Z', to: '2026-11-24T10:30:00Z' };
    const from = Date.parse('2026-11-24T10:00:00Z');
    const to = Date.parse('2026-11-24T10:30:00Z');
    expect(resolveHistoryWindow(selection, now)).toEqual({ from, to, rangeKey: `${from}-${to}` });
  });

  it('resolves a moment near now the same way on server and client only with the same now', () => {
    const selection = { ...preset, range: '1h' as const, at: '2026-11-24T11:50:00Z' };
    expect(resolveHistoryWindow(selection, now)).toEqual(resolveHistoryWindow(selection, now));
    expect(resolveHistoryWindow(selection, now).rangeKey).not.toBe(resolveHistoryWindow(selection, now + 1).rangeKey);
  });
});

describe('leaseQueryKeys', () => {
  it('starts every key with the lease, as live updates match change notices against it', () => {
    for (const queryKey of [leaseQueryKeys.detail(key), leaseQueryKeys.transitions(key, '24h'), leaseQueryKeys.renewals(key, '24h'), leaseQueryKeys.annotations(key, '24h'), leaseQueryKeys.gaps(key, '24h')]) {
      expect(queryKey.slice(0, 4)).toEqual(['lease', 'prod eu', 'kube-system', 'kube-scheduler']);
    }
    expect(leaseQueryKeys.transitions(key, '24h')).toEqual(['lease', 'prod eu', 'kube-system', 'kube-scheduler', 'transitions', '24h']);
  });
});

describe('leaseHistorySearch', () => {
  const window = resolveHistoryWindow(preset, now);
  const search = leaseHistorySearch(key, window);
  const range = { from: new Date(window.from), to: new Date(window.to) };

  it('asks the API for exactly the resolved window, to the millisecond', () => {
    expect(transitionsQuery.parse(search.transitions)).toEqual({ range, limit: TRANSITIONS_LIMIT });
    expect(renewalsQuery.parse(search.renewals)).toEqual({ range });
    expect(gapsQuery.parse(search.gaps)).toEqual({ cluster: 'prod eu', range, limit: 1_000 });
    expect(annotationsQuery.parse(search.annotations)).toEqual({ cluster: 'prod eu', namespace: 'kube-system', name: 'kube-scheduler', range, limit: 1_000 });
  });

  it('survives the trip through a URL, the way the client sends it', () => {
    const sent = new URLSearchParams(new URLSearchParams(search.annotations).toString());
    expect(annotationsQuery.parse(Object.fromEntries(sent))).toEqual(annotationsQuery.parse(search.annotations));
  });
});
