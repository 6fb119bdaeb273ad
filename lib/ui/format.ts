import { formatWallTime, wallTimeOf, zoneOf, type TimeZoneMode } from './time-zone';

export type { TimeZoneMode };

// 24-hour, ISO-like and the same on server and browser for UTC and any named zone; `local` says nothing
// more (the browser's zone is named in the header), the others name their zone.
export function formatTime(value: string | Date | number, mode: TimeZoneMode, options: { seconds?: boolean; date?: boolean; zone?: boolean } = {}): string {
  const ms = new Date(value).getTime();
  const zone = zoneOf(mode);
  const text = formatWallTime(wallTimeOf(ms, zone), options);
  if (mode === 'local' || options.zone === false) return text;
  return `${text} ${zone === 'UTC' ? 'UTC' : zone}`;
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const abs = Math.abs(ms);
  if (abs < 1_000) return `${Math.round(ms)} ms`;
  if (abs < 60_000) return `${(ms / 1_000).toFixed(abs < 10_000 ? 1 : 0)} s`;
  if (abs < 3_600_000) return `${Math.floor(abs / 60_000)} m ${Math.floor((abs % 60_000) / 1_000)} s`;
  if (abs < 86_400_000) return `${Math.floor(abs / 3_600_000)} h ${Math.floor((abs % 3_600_000) / 60_000)} m`;
  return `${Math.floor(abs / 86_400_000)} d ${Math.floor((abs % 86_400_000) / 3_600_000)} h`;
}

// Identities are `host_uuid`: the host is what a person recognises; the uuid tells restarts apart.
export function shortHolder(identity: string | null): string {
  if (!identity) return '—';
  const cut = identity.lastIndexOf('_');
  return cut > 0 ? `${identity.slice(0, cut)}_${identity.slice(cut + 1, cut + 9)}` : identity;
}

// Axis labels must fit one line in a narrow gutter: "1.5 s", "1.05 m", never "1 m 3 s".
export function formatAxisDuration(ms: number): string {
  if (ms === 0) return '0';
  const abs = Math.abs(ms);
  const trim = (value: number) => String(Number(value.toFixed(2)));
  if (abs < 1_000) return `${trim(ms)} ms`;
  if (abs < 60_000) return `${trim(ms / 1_000)} s`;
  if (abs < 3_600_000) return `${trim(ms / 60_000)} m`;
  return `${trim(ms / 3_600_000)} h`;
}

// Host at the front, the distinguishing suffix at the end: the middle is what can go.
export function middleTruncate(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const tail = Math.floor((maxChars - 1) / 2) - 2;
  const head = maxChars - 1 - tail;
  return `${text.slice(0, head)}…${text.slice(text.length - tail)}`;
}

export const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;
