import { describe, expect, it } from 'vitest';
import { isSliding, markedMoment, rangeKeyOf, resolveRange, shiftRange, zoomOutRange, type RangeSelection } from '../../../lib/ui/time-range';
import { instantOf, parseTimeExpression, wallTimeOf } from '../../../lib/ui/time-zone';

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

describe('relative and zoned times', () => {
  it('reads Grafana relative ranges and slides them with now', () => {
    const selection = { ...base, from: 'now-2h', to: 'now' };
    expect(resolveRange(selection, now)).toEqual({ from: now - 7_200_000, to: now });
    expect(isSliding(selection)).toBe(true);
    expect(rangeKeyOf(selection, resolveRange(selection, now))).toBe(rangeKeyOf(selection, resolveRange(selection, now + 5_000)));
  });

  it('reads a wall-clock time in the chosen zone, across a daylight-saving change', () => {
    expect(parseTimeExpression('2026-11-24 10:00', now, 'Asia/Kolkata')).toBe(Date.parse('2026-11-24T04:30:00Z'));
    expect(parseTimeExpression('2026-07-01 10:00:30', now, 'Europe/Berlin')).toBe(Date.parse('2026-07-01T08:00:30Z'));
    expect(parseTimeExpression('2026-01-01 10:00', now, 'Europe/Berlin')).toBe(Date.parse('2026-01-01T09:00:00Z'));
    expect(parseTimeExpression('2026-11-24 10:00', now, 'UTC')).toBe(Date.parse('2026-11-24T10:00:00Z'));
    expect(parseTimeExpression('2026-11-24T10:00:00Z', now, 'Asia/Kolkata')).toBe(Date.parse('2026-11-24T10:00:00Z'));
  });

  it('refuses what is neither', () => {
    for (const text of ['yesterday', '2026-13-01 10:00', '2026-11-24 25:00', '10:00', 'now-2x']) expect(parseTimeExpression(text, now, 'UTC')).toBeNaN();
  });

  it('formats a zone’s wall clock in 24 hours and round-trips it', () => {
    const at = Date.parse('2026-03-29T01:30:00Z');
    const wall = wallTimeOf(at, 'Europe/London');
    expect(wall).toMatchObject({ hours: 2, minutes: 30 });
    expect(instantOf(wall, 'Europe/London')).toBe(at);
  });

  it('shifts by half a window and zooms out around the centre, never past now', () => {
    expect(shiftRange({ from: 0, to: 100 }, -1, 1_000)).toEqual({ from: -50, to: 50 });
    expect(shiftRange({ from: 0, to: 100 }, 1, 120)).toEqual({ from: 20, to: 120 });
    expect(zoomOutRange({ from: 100, to: 200 }, 1_000)).toEqual({ from: 50, to: 250 });
    expect(markedMoment({ ...base, at: '2026-11-24T09:00:00Z' })).toBe(Date.parse('2026-11-24T09:00:00Z'));
  });
});
