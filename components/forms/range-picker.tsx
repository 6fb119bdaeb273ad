'use client';

import { rangePresets, type RangePreset } from '@/lib/ui/time-range';

function toInputValue(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16);
}

export function RangePicker({
  range,
  from,
  to,
  isCustom,
  onPreset,
  onCustom,
  onZoomOut,
}: {
  range: RangePreset;
  from: number;
  to: number;
  isCustom: boolean;
  onPreset: (preset: RangePreset) => void;
  onCustom: (from: number, to: number) => void;
  onZoomOut: () => void;
}) {
  // Re-seed the inputs when the choice changes, not when a sliding preset moves with the clock:
  // that would wipe what a person is typing whenever live data arrives.
  const seed = isCustom ? `custom-${from}-${to}` : `preset-${range}`;
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
        className="flex items-center gap-1"
        aria-label="Custom range (UTC)"
        onSubmit={(event) => {
          event.preventDefault();
          const data = new FormData(event.currentTarget);
          const start = Date.parse(`${String(data.get('from'))}Z`);
          const end = Date.parse(`${String(data.get('to'))}Z`);
          if (Number.isFinite(start) && Number.isFinite(end) && start < end) onCustom(start, end);
        }}
      >
        <input key={`from-${seed}`} name="from" type="datetime-local" aria-label="From (UTC)" defaultValue={toInputValue(from)} className="rounded-md border border-zinc-300 bg-transparent px-1.5 py-0.5 text-xs dark:border-zinc-700" />
        <span className="text-zinc-500">–</span>
        <input key={`to-${seed}`} name="to" type="datetime-local" aria-label="To (UTC)" defaultValue={toInputValue(to)} className="rounded-md border border-zinc-300 bg-transparent px-1.5 py-0.5 text-xs dark:border-zinc-700" />
        <button type="submit" className="rounded-md border border-zinc-300 px-2 py-0.5 text-xs hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800">
          Apply
        </button>
      </form>
      <button type="button" onClick={onZoomOut} className="rounded-md border border-zinc-300 px-2 py-0.5 text-xs hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800">
        Zoom out
      </button>
    </div>
  );
}
