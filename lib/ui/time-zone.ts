// What the `tz` URL parameter may hold: `utc`, `local` (the browser's zone) or any IANA zone name.
export type TimeZoneMode = string;

const validity = new Map<string, boolean>();

export function isTimeZone(name: string): boolean {
  let isValid = validity.get(name);
  if (isValid === undefined) {
    try {
      new Intl.DateTimeFormat('en-GB', { timeZone: name });
      isValid = true;
    } catch {
      isValid = false;
    }
    validity.set(name, isValid);
  }
  return isValid;
}

let zones: readonly string[] | undefined;

// The same array on every call, so a React store snapshot of it stays stable.
export function listTimeZones(): readonly string[] {
  zones ??= typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : ['UTC'];
  return zones;
}

// The IANA zone a mode means; `local` is the browser's (the server has no browser, so UTC there).
export function zoneOf(mode: TimeZoneMode): string {
  if (mode === 'utc') return 'UTC';
  if (mode === 'local') return typeof window === 'undefined' ? 'UTC' : Intl.DateTimeFormat().resolvedOptions().timeZone;
  return isTimeZone(mode) ? mode : 'UTC';
}

export type WallTime = { year: number; month: number; day: number; hours: number; minutes: number; seconds: number };

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(zone, formatter);
  }
  return formatter;
}

// The wall clock of `zone` at an instant, always 24-hour.
export function wallTimeOf(ms: number, zone: string): WallTime {
  if (zone === 'UTC') {
    const date = new Date(ms);
    return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate(), hours: date.getUTCHours(), minutes: date.getUTCMinutes(), seconds: date.getUTCSeconds() };
  }
  const parts: Record<string, number> = {};
  for (const part of formatterFor(zone).formatToParts(ms)) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  return { year: parts.year!, month: parts.month!, day: parts.day!, hours: parts.hour! % 24, minutes: parts.minute!, seconds: parts.second! };
}

const asUtc = (wall: WallTime) => Date.UTC(wall.year, wall.month - 1, wall.day, wall.hours, wall.minutes, wall.seconds);

// The instant a wall-clock time of `zone` names. In a gap (spring forward) the later offset is used,
// in an overlap (fall back) the earlier instant, as most schedulers do.
export function instantOf(wall: WallTime, zone: string): number {
  const guess = asUtc(wall);
  const offsetAt = (ms: number) => asUtc(wallTimeOf(ms, zone)) - ms;
  const first = guess - offsetAt(guess);
  const offset = offsetAt(first);
  return offset === guess - first ? first : guess - offset;
}

const pad = (value: number) => String(value).padStart(2, '0');

export function formatWallTime(wall: WallTime, options: { seconds?: boolean; date?: boolean } = {}): string {
  const time = `${pad(wall.hours)}:${pad(wall.minutes)}${options.seconds === false ? '' : `:${pad(wall.seconds)}`}`;
  return options.date === false ? time : `${wall.year}-${pad(wall.month)}-${pad(wall.day)} ${time}`;
}

const relative = /^now(?:\s*([+-])\s*(\d+)\s*(s|m|h|d|w))?$/i;
const unitMs: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const absolute = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/;

export function isRelativeTime(text: string): boolean {
  return relative.test(text.trim());
}

// Grafana's relative times (`now`, `now-2h`, `now+5m`) or an absolute instant: ISO 8601 with a zone,
// or a wall-clock `YYYY-MM-DD HH:mm[:ss]` read in `zone`. NaN when it is neither.
export function parseTimeExpression(text: string, now: number, zone = 'UTC'): number {
  const trimmed = text.trim();
  const match = relative.exec(trimmed);
  if (match) return match[1] ? now + (match[1] === '-' ? -1 : 1) * Number(match[2]) * unitMs[match[3]!.toLowerCase()]! : now;
  const wall = absolute.exec(trimmed);
  if (wall) {
    const [, year, month, day, hours, minutes, seconds] = wall.map(Number) as number[];
    const fields = { year: year!, month: month!, day: day!, hours: hours!, minutes: minutes!, seconds: Number.isNaN(seconds) ? 0 : seconds! };
    if (fields.month < 1 || fields.month > 12 || fields.day < 1 || fields.day > 31 || fields.hours > 23 || fields.minutes > 59 || fields.seconds > 59) return Number.NaN;
    return instantOf(fields, zone);
  }
  return /[zZ]|[+-]\d{2}:?\d{2}$/.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
}
