'use client';

import { parseAsStringLiteral, useQueryState } from 'nuqs';
import type { TimeZoneMode } from '@/lib/ui/format';

export const timeZoneParser = parseAsStringLiteral(['utc', 'local'] as const).withDefault('utc');

export function useTimeZone(): TimeZoneMode {
  const [mode] = useQueryState('tz', timeZoneParser);
  return mode;
}

export function TimeZoneToggle() {
  const [mode, setMode] = useQueryState('tz', timeZoneParser);
  return (
    <div role="group" aria-label="Time zone" className="inline-flex overflow-hidden rounded-md border border-zinc-300 text-xs dark:border-zinc-700">
      {(['utc', 'local'] as const).map((option) => (
        <button
          key={option}
          type="button"
          aria-pressed={mode === option}
          onClick={() => void setMode(option === 'utc' ? null : option)}
          className={`px-2 py-1 ${mode === option ? 'bg-zinc-900 text-white dark:bg-zinc-100 dark:text-zinc-900' : 'hover:bg-zinc-100 dark:hover:bg-zinc-800'}`}
        >
          {option === 'utc' ? 'UTC' : 'Local'}
        </button>
      ))}
    </div>
  );
}
