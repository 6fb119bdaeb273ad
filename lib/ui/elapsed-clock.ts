import { formatDuration } from './format';

// Durations that grow on screen ("Held for 3 m 12 s") while nothing is sent. One clock ticks for every
// reader of a page and tells a reader only when its own text changes: a fleet of 10,000 leases held for
// hours changes a few texts a minute, where re-rendering every row each second took 0.65 s of CPU a second.
export type ElapsedClock = {
  // The text of the time elapsed since `since` (epoch ms) at the clock's last tick.
  textSince(since: number): string;
  // Until the returned function is called, `onChange` is called after each tick that changed textSince(since).
  subscribe(since: number, onChange: () => void): () => void;
  // The server's time `serverNow` was our `localNow`: from now on the clock reads the server's time, carried
  // forward by ours and never earlier than `serverNow`, so durations agree with the server that classified them.
  sync(serverNow: number, localNow: number): void;
};

// `every` starts a repeating timer and returns what stops it; it runs only while someone reads the clock.
export type ElapsedClockDeps = { now: () => number; every: (ms: number, tick: () => void) => () => void; intervalMs?: number };

export function createElapsedClock(initial: number, { now, every, intervalMs = 1_000 }: ElapsedClockDeps): ElapsedClock {
  let serverNow = initial;
  let offset = 0;
  let current = initial;
  let stop: (() => void) | undefined;
  const readers = new Map<() => void, { since: number; text: string }>();
  const textSince = (since: number) => formatDuration(Math.max(0, current - since));
  const tick = () => {
    current = Math.max(serverNow, now() + offset);
    for (const [onChange, reader] of readers) {
      const text = textSince(reader.since);
      if (text === reader.text) continue;
      reader.text = text;
      onChange();
    }
  };
  return {
    textSince,
    subscribe(since, onChange) {
      readers.set(onChange, { since, text: textSince(since) });
      stop ??= every(intervalMs, tick);
      return () => {
        readers.delete(onChange);
        if (readers.size > 0) return;
        stop?.();
        stop = undefined;
      };
    },
    sync(server, local) {
      serverNow = server;
      offset = server - local;
      tick();
    },
  };
}
