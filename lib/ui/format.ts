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

// A stable colour per holder host, so the same node keeps its colour across a timeline.
export function holderColor(identity: string | null): string {
  if (!identity) return 'transparent';
  const host = identity.lastIndexOf('_') > 0 ? identity.slice(0, identity.lastIndexOf('_')) : identity;
  // FNV-1a, then the golden angle, so near-identical names (node-1, node-2) land far apart.
  let hash = 0x811c9dc5;
  for (const char of host) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return `hsl(${Math.round((hash * 137.508) % 360)} 65% 50%)`;
}
