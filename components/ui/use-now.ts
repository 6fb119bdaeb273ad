'use client';

import { useEffect, useState } from 'react';

// The clock, ticking: durations that grow while nothing is sent (a leaderless lease renews nothing)
// still grow on screen. Starts from the server's `initial` so the first render hydrates unchanged.
export function useNow(initial: number, intervalMs = 1_000, isEnabled = true): number {
  const [now, setNow] = useState(initial);
  useEffect(() => {
    if (!isEnabled) return;
    const tick = () => setNow(Date.now());
    const first = setTimeout(tick, 0);
    const timer = setInterval(tick, intervalMs);
    return () => {
      clearTimeout(first);
      clearInterval(timer);
    };
  }, [intervalMs, isEnabled]);
  return now;
}
