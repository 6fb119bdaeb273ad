import { describe, expect, it } from 'vitest';
import { formatDuration, formatTime, holderColor, shortHolder } from '../../../lib/ui/format';

describe('formatTime', () => {
  it('renders UTC with the zone named', () => {
    expect(formatTime('2026-11-24T07:05:09.123Z', 'utc')).toBe('2026-11-24 07:05:09 UTC');
    expect(formatTime('2026-11-24T07:05:09.123Z', 'utc', { date: false, seconds: false })).toBe('07:05 UTC');
  });
});

describe('formatDuration', () => {
  it.each([
    [null, '—'],
    [250, '250 ms'],
    [1_500, '1.5 s'],
    [15_000, '15 s'],
    [125_000, '2 m 5 s'],
    [3_725_000, '1 h 2 m'],
    [90_000_000, '1 d 1 h'],
  ])('%s ms reads %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('holders', () => {
  it('shortens the uuid but keeps the host', () => {
    expect(shortHolder('node-1_0123456789abcdef')).toBe('node-1_01234567');
    expect(shortHolder(null)).toBe('—');
  });

  it('gives every identity of one host the same colour', () => {
    expect(holderColor('node-1_aaaa')).toBe(holderColor('node-1_bbbb'));
    expect(holderColor('node-1_aaaa')).not.toBe(holderColor('node-2_aaaa'));
  });
});

describe('holder colours', () => {
  it('sets neighbouring node names apart by at least 20 degrees of hue', () => {
    const hue = (identity: string) => Number(/hsl\((\d+)/.exec(holderColor(identity))?.[1]);
    const distance = Math.abs(hue('cp-1_a') - hue('cp-2_a')) % 360;
    expect(Math.min(distance, 360 - distance)).toBeGreaterThanOrEqual(20);
  });
});
