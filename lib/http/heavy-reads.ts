import { TooManyRequestsError } from '../errors';

export type HeavyGate = { acquire: () => () => void; running: () => number };

// Timeline, export and preview each hold a lot of rows in memory: beyond a few at once the process
// swaps and health starts to flap, so extra requests are told when to come back instead.
export function createHeavyGate(limit: number, retryAfterSeconds: number): HeavyGate {
  let running = 0;
  return {
    acquire() {
      if (running >= limit) throw new TooManyRequestsError(`too many heavy reads at once (${limit} running); retry in ${retryAfterSeconds} s`, retryAfterSeconds);
      running += 1;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        running -= 1;
      };
    },
    running: () => running,
  };
}

const globalForGate = globalThis as unknown as { leasetrailHeavyGate?: HeavyGate };

export function getHeavyGate(): HeavyGate {
  globalForGate.leasetrailHeavyGate ??= createHeavyGate(3, 2);
  return globalForGate.leasetrailHeavyGate;
}
