'use client';

import { useQueryState } from 'nuqs';
import { useSyncExternalStore } from 'react';
import { listTimeZones, zoneOf, type TimeZoneMode } from '@/lib/ui/time-zone';
import { timeZoneParser } from '@/lib/ui/time-zone-param';

export function useTimeZone(): TimeZoneMode {
  const [mode] = useQueryState('tz', timeZoneParser);
  return mode;
}

const subscribeToNothing = () => () => undefined;
const emptyZones: readonly string[] = [];
const noZones = () => emptyZones;

// The zone a mode means in this browser; the server renders `local` as UTC until hydration.
export function useZoneName(mode: TimeZoneMode): string {
  return useSyncExternalStore(
    subscribeToNothing,
    () => zoneOf(mode),
    () => (mode === 'local' ? 'UTC' : zoneOf(mode)),
  );
}

export function TimeZoneSelect() {
  const [mode, setMode] = useQueryState('tz', timeZoneParser);
  const localZone = useZoneName('local');
  const zones = useSyncExternalStore(subscribeToNothing, listTimeZones, noZones);
  return (
    <label className="flex items-center gap-1 text-xs text-zinc-600 dark:text-zinc-400">
      <span className="sr-only sm:not-sr-only">Zone</span>
      <select
        aria-label="Time zone"
        value={mode}
        onChange={(event) => void setMode(event.target.value === 'utc' ? null : event.target.value)}
        className="max-w-36 rounded-md border border-zinc-300 bg-transparent px-1 py-1 text-xs dark:border-zinc-700"
      >
        <option value="utc">UTC</option>
        <option value="local">Browser ({localZone})</option>
        {mode !== 'utc' && mode !== 'local' && !zones.includes(mode) ? <option value={mode}>{mode}</option> : null}
        {zones.map((zone) => (
          <option key={zone} value={zone}>
            {zone}
          </option>
        ))}
      </select>
    </label>
  );
}
