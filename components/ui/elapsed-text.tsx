'use client';

import { createContext, useCallback, useContext, useEffect, useState, useSyncExternalStore, type ReactNode } from 'react';
import { createElapsedClock, type ElapsedClock } from '@/lib/ui/elapsed-clock';

const ElapsedClockContext = createContext<ElapsedClock | null>(null);

const every = (ms: number, tick: () => void) => {
  const timer = setInterval(tick, ms);
  return () => clearInterval(timer);
};

// The clock of the durations below it, on the server's time: `serverNow` as the server classified the data,
// received at our `receivedAt`. It starts at `serverNow`, so the first render hydrates unchanged.
export function ElapsedClockProvider({ serverNow, receivedAt, children }: { serverNow: number; receivedAt: number; children: ReactNode }) {
  const [clock] = useState(() => createElapsedClock(serverNow, { now: Date.now, every }));
  useEffect(() => clock.sync(serverNow, receivedAt || Date.now()), [clock, serverNow, receivedAt]);
  return <ElapsedClockContext.Provider value={clock}>{children}</ElapsedClockContext.Provider>;
}

function useElapsedClock(): ElapsedClock {
  const clock = useContext(ElapsedClockContext);
  if (!clock) throw new Error('ElapsedText needs an ElapsedClockProvider above it');
  return clock;
}

// "3 m 12 s" since `since` (epoch ms), growing: this component alone re-renders, and only when its text changes.
export function ElapsedText({ since }: { since: number }) {
  const clock = useElapsedClock();
  const subscribe = useCallback((onChange: () => void) => clock.subscribe(since, onChange), [clock, since]);
  const text = useCallback(() => clock.textSince(since), [clock, since]);
  return <>{useSyncExternalStore(subscribe, text, text)}</>;
}
