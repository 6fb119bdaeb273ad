import { describe, expect, it } from 'vitest';
import { isSliding, resolveRange, type RangeSelection } from '../../../lib/ui/time-range';

const now = Date.parse('2026-11-24T12:00:00Z');
const base: RangeSelection = { range: '1h', from: null, to: null, at: null };

describe('resolveRange', () => {
  it('slides a preset with now', () => {
    expect(resolveRange(base, now)).toEqual({ from: now - 3_600_000, to: now });
    expect(isSliding(base)).toBe(true);
  });

  it('uses a custom range as given', () => {
    const selection = { ...base, from: '2026-11-24T10:00:00Z', to: '2026-11-24T10:30:00Z' };
    expect(resolveRange(selection, now)).toEqual({ from: Date.parse('2026-11-24T10:00:00Z'), to: Date.parse('2026-11-24T10:30:00Z') });
    expect(isSliding(selection)).toBe(false);
  });

  it('ignores a custom range that is backwards or unreadable', () => {
    expect(resolveRange({ ...base, from: '2026-11-24T11:00:00Z', to: '2026-11-24T10:00:00Z' }, now)).toEqual({ from: now - 3_600_000, to: now });
    expect(resolveRange({ ...base, from: 'yesterday', to: 'today' }, now)).toEqual({ from: now - 3_600_000, to: now });
  });

  it('centres the preset window on a moment to inspect, never past now', () => {
    expect(resolveRange({ ...base, at: '2026-11-24T09:00:00Z' }, now)).toEqual({ from: Date.parse('2026-11-24T08:30:00Z'), to: Date.parse('2026-11-24T09:30:00Z') });
    expect(resolveRange({ ...base, at: '2026-11-24T11:50:00Z' }, now)).toEqual({ from: now - 3_600_000, to: now });
  });
});
