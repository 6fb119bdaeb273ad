import { describe, expect, it } from 'vitest';
import { formatAge, formatMicroTime, formatTime, parseMicroTime } from '@/lib/sim/micro-time';

describe('MicroTime', () => {
  it('formats six fraction digits in UTC', () => {
    const epochMs = Date.UTC(2025, 2, 4, 5, 6, 7, 123) + 0.456;
    expect(formatMicroTime(epochMs)).toBe('2025-03-04T05:06:07.123456Z');
    expect(formatMicroTime(Date.UTC(2025, 0, 1))).toBe('2025-01-01T00:00:00.000000Z');
  });

  it('round-trips through parse', () => {
    for (const text of ['2025-03-04T05:06:07.123456Z', '1999-12-31T23:59:59.999999Z', '2024-02-29T00:00:00.000001Z']) {
      expect(formatMicroTime(parseMicroTime(text)!)).toBe(text);
    }
  });

  it('parses offsets, short fractions and truncates beyond microseconds like Go', () => {
    expect(formatMicroTime(parseMicroTime('2025-03-04T07:06:07.5+02:00')!)).toBe('2025-03-04T05:06:07.500000Z');
    expect(formatMicroTime(parseMicroTime('2025-03-04T05:06:07Z')!)).toBe('2025-03-04T05:06:07.000000Z');
    expect(formatMicroTime(parseMicroTime('2025-03-04T05:06:07.123456789Z')!)).toBe('2025-03-04T05:06:07.123456Z');
  });

  it('rejects what is not RFC 3339', () => {
    for (const text of ['2025-02-30T00:00:00Z', '2025-03-04 05:06:07Z', 'yesterday', '2025-03-04T25:00:00Z', '2025-03-04T05:06:07']) {
      expect(parseMicroTime(text)).toBeUndefined();
    }
  });

  it('formats Time with whole seconds, truncating', () => {
    expect(formatTime(Date.UTC(2025, 0, 1, 0, 0, 1, 999))).toBe('2025-01-01T00:00:01Z');
  });
});

describe('formatAge (HumanDuration)', () => {
  it.each([
    [-5_000, '<invalid>'],
    [-500, '0s'],
    [59_000, '59s'],
    [119_000, '119s'],
    [120_000, '2m'],
    [125_000, '2m5s'],
    [11 * 60_000, '11m'],
    [179 * 60_000, '179m'],
    [3 * 3_600_000, '3h'],
    [3 * 3_600_000 + 5 * 60_000, '3h5m'],
    [30 * 3_600_000, '30h'],
    [3 * 86_400_000 + 4 * 3_600_000, '3d4h'],
    [20 * 86_400_000, '20d'],
    [800 * 86_400_000, '2y70d'],
    [9 * 365 * 86_400_000, '9y'],
  ])('%d ms is %s', (ms, text) => {
    expect(formatAge(ms)).toBe(text);
  });
});
