export type Timers = { setTimeout: (fn: () => void, ms: number) => unknown; clearTimeout: (handle: unknown) => void };

const realTimers: Timers = { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout) };

// Node fires a timer longer than 2^31 - 1 ms at once; an absurd leaseDurationSeconds must not spin.
const maxDelayMs = 2_147_483_647;

// Wakes the controller when the earliest expiry falls due. Between full scans it only ever moves
// earlier, so a batch never has to walk every lease of its cluster.
export class ExpiryScheduler {
  private handle: unknown;
  private dueAt: number | null = null;

  constructor(
    private readonly onDue: () => void,
    private readonly clock: { now: () => number },
    private readonly timers: Timers = realTimers,
  ) {}

  get nextAt(): number | null {
    return this.dueAt;
  }

  moveEarlier(at: number | null): void {
    if (at === null || (this.dueAt !== null && this.dueAt <= at)) return;
    this.arm(at);
  }

  reset(at: number | null): void {
    this.cancel();
    if (at !== null) this.arm(at);
  }

  cancel(): void {
    if (this.handle !== undefined) this.timers.clearTimeout(this.handle);
    this.handle = undefined;
    this.dueAt = null;
  }

  private arm(at: number): void {
    if (this.handle !== undefined) this.timers.clearTimeout(this.handle);
    this.dueAt = at;
    const delay = Math.min(maxDelayMs, Math.max(0, at - this.clock.now()));
    this.handle = this.timers.setTimeout(() => {
      this.handle = undefined;
      this.dueAt = null;
      this.onDue();
    }, delay);
  }
}
