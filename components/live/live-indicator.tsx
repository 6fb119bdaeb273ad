'use client';

import { useLiveState } from './live-updates';

const labels = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…' } as const;
const tones = { connecting: 'bg-zinc-400', live: 'bg-emerald-500', reconnecting: 'bg-amber-500 animate-pulse' } as const;

export function LiveIndicator() {
  const state = useLiveState();
  return (
    <span role="status" aria-live="polite" data-live-state={state} className="inline-flex items-center gap-1.5 text-xs text-zinc-600 dark:text-zinc-400">
      <span className={`h-2 w-2 rounded-full ${tones[state]}`} />
      {labels[state]}
    </span>
  );
}
