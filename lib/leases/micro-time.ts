import type { MicroTime } from './types';

const rfc3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

// Strict RFC 3339 as Go's time.Parse accepts it; Date.parse is too lenient to trust with foreign input.
export function parseMicroTime(text: string): MicroTime | null {
  const match = rfc3339.exec(text);
  if (match === null) return null;
  const [, year, month, day, hour, minute, second, fraction, , sign, offsetHour, offsetMinute] = match;
  const fields = [year, month, day, hour, minute, second].map(Number) as [number, number, number, number, number, number];
  const [y, mo, d, h, mi, s] = fields;
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) return null;
  const offsetMs = sign === undefined ? 0 : toOffsetMs(sign, Number(offsetHour), Number(offsetMinute));
  if (offsetMs === null) return null;
  const millis = fraction === undefined ? 0 : Number(fraction.padEnd(3, '0').slice(0, 3));
  return { iso: text, ms: utcMs(y, mo - 1, d, h, mi, s, millis) - offsetMs };
}

export function microTimeFromDate(date: Date): MicroTime {
  return { iso: date.toISOString(), ms: date.getTime() };
}

// Date.UTC maps years 0–99 to the 1900s; Go's zero time is 0001-01-01.
function utcMs(year: number, monthIndex: number, day: number, hour: number, minute: number, second: number, ms: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, monthIndex, day);
  date.setUTCHours(hour, minute, second, ms);
  return date.getTime();
}

function daysInMonth(year: number, month: number): number {
  return new Date(utcMs(year, month, 0, 0, 0, 0, 0)).getUTCDate();
}

function toOffsetMs(sign: string, hours: number, minutes: number): number | null {
  if (hours > 23 || minutes > 59) return null;
  return (sign === '-' ? -1 : 1) * (hours * 60 + minutes) * 60_000;
}
