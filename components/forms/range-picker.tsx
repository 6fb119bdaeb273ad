'use client';

import { useState } from 'react';
import { useTimeZone, useZoneName } from '@/components/ui/time-zone-select';
import { rangePresets, type RangePreset } from '@/lib/ui/time-range';
import { formatWallTime, isRelativeTime, parseTimeExpression, wallTimeOf } from '@/lib/ui/time-zone';
import { useTimeShortcuts } from './use-time-shortcuts';

const buttonClass = 'rounded-md border border-zinc-300 px-2 py-1 text-xs hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800';

// The window as presets, or from/to typed in the chosen zone (24-hour) or relative (`now-2h`). Every
// choice is a new history entry (the caller pushes it), so Back returns to the previous window.
export function RangePicker({
  range,
  from,
  to,
  isCustom,
  fromText,
  toText,
  onPreset,
  onCustom,
  onZoomOut,
  onShift,
}: {
  range: RangePreset;
  from: number;
  to: number;
  isCustom: boolean;
  /** the URL's from/to when they are relative times, shown as typed */
  fromText?: string | null;
  toText?: string | null;
  onPreset: (preset: RangePreset) => void;
  /** ISO instants or relative times */
  onCustom: (from: string, to: string) => void;
  onZoomOut: () => void;
  onShift: (direction: -1 | 1) => void;
}) {
  const mode = useTimeZone();
  const zone = useZoneName(mode);
  const [error, setError] = useState<string>();
  useTimeShortcuts({ onZoomOut, onShift });
  const show = (ms: number, text: string | null | undefined) => (text && isRelativeTime(text) ? text : formatWallTime(wallTimeOf(ms, zone)));
  // Re-seed the inputs when the choice or zone changes, not when a sliding preset moves with the clock:
  // that would wipe what a person is typing whenever live data arrives.
  const seed = `${zone}-${isCustom ? `custom-${fromText ?? from}-${toText ?? to}` : `preset-${range}`}`;
  const label = zone === 'UTC' ? 'UTC' : zone;
  return (
    <div className="flex flex-wrap items-center gap-2 text-sm">
      <div role="group" aria-label="Time range" className="inline-flex overflow-hidden rounded-md border border-zinc-300 dark:border-zinc-700">
        {rangePresets.map((preset) => {
          const isActive = !isCustom && preset === range;
          return (
            <button
              key={preset}
              type="button"
              aria-pressed={isActive}
              onClick={() => onPreset(preset)}
              className={`px-2.5 py-1 ${isActive ? 'bg-zinc-900 text-white dark:bg-zinc-100 dark:text-zinc-900' : 'hover:bg-zinc-100 dark:hover:bg-zinc-800'}`}
            >
              {preset}
            </button>
          );
        })}
      </div>
      <form
        className="flex flex-wrap items-center gap-1"
        aria-label={`Custom range (${label})`}
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          const data = new FormData(event.currentTarget);
          const fromInput = String(data.get('from')).trim();
          const toInput = String(data.get('to')).trim();
          const now = Date.now();
          const start = parseTimeExpression(fromInput, now, zone);
          const end = parseTimeExpression(toInput, now, zone);
          if (!Number.isFinite(start) || !Number.isFinite(end)) {
            setError(`Write times as YYYY-MM-DD HH:mm[:ss] in ${label}, or relative like now-2h.`);
          } else if (start >= end) {
            setError('From must be before To.');
          } else {
            setError(undefined);
            const text = (input: string, ms: number) => (isRelativeTime(input) ? input.replace(/\s+/g, '') : new Date(ms).toISOString());
            onCustom(text(fromInput, start), text(toInput, end));
          }
        }}
      >
        <input
          key={`from-${seed}`}
          name="from"
          aria-label={`From (${label})`}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'range-error' : undefined}
          defaultValue={show(from, fromText)}
          placeholder="YYYY-MM-DD HH:mm:ss"
          spellCheck={false}
          className="w-40 rounded-md border border-zinc-300 bg-transparent px-1.5 py-0.5 font-mono text-xs dark:border-zinc-700"
        />
        <span className="text-zinc-600 dark:text-zinc-400">–</span>
        <input
          key={`to-${seed}`}
          name="to"
          aria-label={`To (${label})`}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'range-error' : undefined}
          defaultValue={show(to, toText)}
          placeholder="now"
          spellCheck={false}
          className="w-40 rounded-md border border-zinc-300 bg-transparent px-1.5 py-0.5 font-mono text-xs dark:border-zinc-700"
        />
        <span className="text-xs text-zinc-600 dark:text-zinc-400" title="Times are read and shown in this zone, 24-hour">
          {label}
        </span>
        <button type="submit" className={buttonClass}>
          Apply
        </button>
      </form>
      <button type="button" onClick={onZoomOut} className={buttonClass} title="Zoom out (t z)">
        Zoom out
      </button>
      <span className="inline-flex gap-1">
        <button type="button" onClick={() => onShift(-1)} className={buttonClass} aria-label="Earlier" title="Earlier (t ←)">
          ←
        </button>
        <button type="button" onClick={() => onShift(1)} className={buttonClass} aria-label="Later" title="Later (t →)">
          →
        </button>
      </span>
      {error ? (
        <p id="range-error" role="alert" className="w-full text-xs text-red-700 dark:text-red-400">
          {error}
        </p>
      ) : null}
    </div>
  );
}
