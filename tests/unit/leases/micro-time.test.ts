import { describe, expect, it } from 'vitest';
import { parseMicroTime } from '@/lib/leases';
import { exactMicrosOf, isExactMicroTime, microTimeFromMicros, packMicroTime, parseRfc3339 } from '@/lib/leases/micro-time';

describe('parseMicroTime', () => {
  it('truncates microseconds to whole milliseconds and keeps the text', () => {
    expect(parseMicroTime('2024-05-01T10:00:00.123999Z')).toEqual({ iso: '2024-05-01T10:00:00.123999Z', ms: Date.UTC(2024, 4, 1, 10, 0, 0, 123) });
  });

  it('reads one to nine fraction digits', () => {
    expect(parseMicroTime('2024-05-01T10:00:00.5Z')?.ms).toBe(Date.UTC(2024, 4, 1, 10, 0, 0, 500));
    expect(parseMicroTime('2024-05-01T10:00:00.123456789Z')?.ms).toBe(Date.UTC(2024, 4, 1, 10, 0, 0, 123));
  });

  it('applies a numeric zone offset', () => {
    expect(parseMicroTime('2024-05-01T12:00:00+02:00')?.ms).toBe(Date.UTC(2024, 4, 1, 10));
    expect(parseMicroTime('2024-05-01T08:30:00-01:30')?.ms).toBe(Date.UTC(2024, 4, 1, 10));
  });

  it("reads Go's zero time without the two-digit-year trap", () => {
    expect(parseMicroTime('0001-01-01T00:00:00Z')?.ms).toBe(-62135596800000);
  });

  it('accepts 29 February in a leap year', () => {
    expect(parseMicroTime('2024-02-29T00:00:00Z')?.ms).toBe(Date.UTC(2024, 1, 29));
  });

  it.each(['', '2024-05-01', '2024-05-01 10:00:00Z', '2024-13-01T10:00:00Z', '2023-02-29T10:00:00Z', '2024-05-01T24:00:00Z', '2024-05-01T10:60:00Z', '2024-05-01T10:00:60Z', '2024-05-01T10:00:00.Z', '2024-05-01T10:00:00+24:00', 'Wed, 01 May 2024 10:00:00 GMT'])(
    'rejects %j',
    (text) => {
      expect(parseMicroTime(text)).toBeNull();
    },
  );
});

describe('parseMicroTime on the canonical UTC form', () => {
  // The hand-written fast path must agree with the general reader everywhere, invalid dates included.
  const samples = [
    '2026-11-24T10:05:02.654321Z',
    '2026-11-24T10:05:02Z',
    '2026-11-24T10:05:02.6Z',
    '2026-11-24T10:05:02.65Z',
    '2026-11-24T10:05:02.123456789Z',
    '2024-02-29T23:59:59.999999Z',
    '2023-02-29T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-04-31T00:00:00Z',
    '2026-11-24T24:00:00Z',
    '2026-11-24T10:60:00Z',
    '2026-11-24T10:05:60Z',
    '2026-11-24T10:05:02.Z',
    '2026-11-24T10:05:02.1234567890Z',
    '2026-11-24t10:05:02Z',
    '2026-11-24T10:05:02z',
    '2026-11-24 10:05:02Z',
    '0999-01-01T00:00:00Z',
    '0001-01-01T00:00:00Z',
    '2026-11-24T10:05:0aZ',
    '2026-11-24T10:05:02+00:00',
  ];
  it.each(samples)('%s', (text) => {
    expect(parseMicroTime(text)).toEqual(parseRfc3339(text));
  });
});

describe('microTimeFromMicros', () => {
  // Go's RFC3339Micro, written independently of the cached formatting: Date for the seconds, six digits after.
  const goText = (micros: number) => {
    const seconds = Math.floor(micros / 1e6);
    return `${new Date(seconds * 1000).toISOString().slice(0, 19)}.${String(micros - seconds * 1e6).padStart(6, '0')}Z`;
  };

  it('writes the text API servers write and reads as that text does, however its seconds alternate', () => {
    const base = Date.UTC(2026, 11, 7, 18, 0, 0) * 1000;
    // Seconds 256 apart share a cache slot; an acquireTime hours before the renewTime alternates with it.
    const samples = [base + 7, base - 3_600_000_000 + 123_456, base + 256_000_000 + 999_999, base, base + 256_000_000, -1, 0, 999_999, Date.UTC(1969, 6, 20, 20, 17, 40) * 1000 + 5];
    for (const micros of [...samples, ...samples]) {
      const time = microTimeFromMicros(micros)!;
      expect(time.iso).toBe(goText(micros));
      expect(time).toEqual(parseMicroTime(goText(micros)));
      expect(packMicroTime(time)).toBe(micros);
      expect(exactMicrosOf(time)).toBe(micros);
    }
  });

  it('packs a parsed time to the same microseconds as the exact one, and knows the microseconds of built times only', () => {
    const text = '2026-11-24T10:05:02.654321Z';
    const exact = microTimeFromMicros(packMicroTime(parseMicroTime(text)!)!)!;
    expect(exact.iso).toBe(text);
    expect(exactMicrosOf(parseMicroTime(text)!)).toBeUndefined();
    expect(exactMicrosOf({ iso: text, ms: exact.ms })).toBeUndefined();
    expect(isExactMicroTime(exact)).toBe(true);
    expect(isExactMicroTime(JSON.parse(JSON.stringify(exact)))).toBe(false);
  });

  it('builds nothing where a number cannot hold the time exactly or the text would not be canonical', () => {
    expect(microTimeFromMicros(Number.MAX_SAFE_INTEGER + 2)).toBeNull();
    expect(microTimeFromMicros(Date.UTC(999, 11, 31) * 1000)).toBeNull();
    expect(microTimeFromMicros(1.5)).toBeNull();
    expect(microTimeFromMicros(Number.NaN)).toBeNull();
  });
});
