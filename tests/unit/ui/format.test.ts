import { describe, expect, it } from 'vitest';
import { formatAxisDuration, formatDuration, formatTime, middleTruncate, plural, shortHolder } from '../../../lib/ui/format';

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

});

describe('compact texts', () => {
  it('names any IANA zone and stays 24-hour', () => {
    expect(formatTime('2026-11-24T19:05:09Z', 'America/New_York')).toBe('2026-11-24 14:05:09 America/New_York');
    expect(formatTime('2026-11-24T19:05:09Z', 'Asia/Kolkata', { date: false, zone: false })).toBe('00:35:09');
  });

  it('writes axis durations short enough for one line', () => {
    expect([0, 500, 1_500, 2_000, 15_000, 60_000, 63_000, 90_000, 3_600_000].map(formatAxisDuration)).toEqual(['0', '500 ms', '1.5 s', '2 s', '15 s', '1 m', '1.05 m', '1.5 m', '1 h']);
  });

  it('cuts identities in the middle so host and suffix stay', () => {
    expect(middleTruncate('kube-controller-manager-node-1_0123456789abcdef', 24)).toBe('kube-controlle…789abcdef');
    expect(middleTruncate('short_1', 24)).toBe('short_1');
  });

  it('says 1 burst and 2 bursts', () => {
    expect(plural(1, 'burst')).toBe('1 burst');
    expect(plural(2, 'blind spot')).toBe('2 blind spots');
    expect(plural(0, 'failover')).toBe('0 failovers');
  });
});
