import { performance } from 'node:perf_hooks';

/** Wall time (epoch ms with a microsecond fraction), a monotonic reading, and abortable sleep. */
export type Clock = {
  now(): number;
  monotonic(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
};

export class AbortedError extends Error {
  override name = 'AbortedError';
}

export function sleepFor(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(new AbortedError('aborted'));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError('aborted'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export type Deadline = { signal: AbortSignal; dispose(): void };

/**
 * A signal that aborts after ms or with its parents. AbortSignal.timeout is avoided on purpose: combined
 * through AbortSignal.any it can be collected before it fires on some Node versions.
 */
export function createDeadline(ms: number, parents: AbortSignal[] = []): Deadline {
  const controller = new AbortController();
  const abort = () => controller.abort(new AbortedError('deadline exceeded'));
  const timer = setTimeout(abort, Math.max(0, ms));
  const detach = parents.map((parent) => {
    if (parent.aborted) abort();
    parent.addEventListener('abort', abort, { once: true });
    return () => parent.removeEventListener('abort', abort);
  });
  return {
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer);
      for (const remove of detach) remove();
    },
  };
}

// performance.now() keeps sub-millisecond precision, which MicroTime needs; Date.now() does not.
export const systemClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
  monotonic: () => performance.now(),
  sleep: sleepFor,
};

export type ManualClock = Clock & { advance(ms: number): Promise<void>; set(epochMs: number): void };

/** A clock that only moves when told to, for pure tests of timing logic. */
export function createManualClock(startEpochMs = Date.UTC(2025, 0, 1)): ManualClock {
  let wall = startEpochMs;
  let mono = 0;
  const sleepers: Array<{ until: number; resolve: () => void }> = [];
  const wakeDue = () => {
    sleepers.sort((a, b) => a.until - b.until);
    while (sleepers.length > 0 && sleepers[0]!.until <= mono) sleepers.shift()!.resolve();
  };
  return {
    now: () => wall,
    monotonic: () => mono,
    sleep(ms, signal) {
      if (signal?.aborted) return Promise.reject(new AbortedError('aborted'));
      return new Promise((resolve, reject) => {
        const entry = { until: mono + Math.max(0, ms), resolve };
        sleepers.push(entry);
        signal?.addEventListener(
          'abort',
          () => {
            sleepers.splice(sleepers.indexOf(entry), 1);
            reject(new AbortedError('aborted'));
          },
          { once: true },
        );
      });
    },
    async advance(ms) {
      const target = mono + ms;
      for (;;) {
        sleepers.sort((a, b) => a.until - b.until);
        const next = sleepers[0];
        if (!next || next.until > target) break;
        wall += next.until - mono;
        mono = next.until;
        wakeDue();
        await Promise.resolve();
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      wall += target - mono;
      mono = target;
    },
    set(epochMs) {
      wall = epochMs;
    },
  };
}
