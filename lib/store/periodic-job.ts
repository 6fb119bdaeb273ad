import type { Logger } from '../log';

export type Clock = { now(): number };

// A store job the controller starts: one run at start, then one every `intervalMs` after the previous run
// ended (never two at once, however long a run takes). A failed run is logged ("<what> failed; will retry")
// and retried at the next tick: `runOnce` answers undefined then. `stop` waits for the run in progress,
// which can watch the signal `run` gets to end early.
export abstract class PeriodicJob<T> {
  protected readonly clock: Clock;
  private readonly abort = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private isStarted = false;

  protected constructor(private readonly job: { what: string; log: Logger; intervalMs: number; clock: Clock | undefined }) {
    this.clock = job.clock ?? { now: Date.now };
  }

  protected abstract run(signal: AbortSignal): Promise<T>;

  async runOnce(): Promise<T | undefined> {
    try {
      return await this.run(this.abort.signal);
    } catch (error) {
      this.job.log.warn({ err: error instanceof Error ? error.message : String(error) }, `${this.job.what} failed; will retry`);
      return undefined;
    }
  }

  start(signal?: AbortSignal): void {
    if (this.isStarted) return;
    this.isStarted = true;
    signal?.addEventListener('abort', () => void this.stop(), { once: true });
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.abort.signal.aborted) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce().finally(() => {
        this.running = undefined;
        this.schedule(this.job.intervalMs);
      });
    }, delayMs);
  }
}
