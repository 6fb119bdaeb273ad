import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PeriodicJob } from '../../../lib/store/periodic-job';

type Line = { level: number; msg: string; err?: string };

function capture(): { log: pino.Logger; lines: Line[] } {
  const lines: Line[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as Line) });
  return { log, lines };
}

// A job whose runs end when the test says so: how many started, how many ran at once, what the signal said.
class GatedJob extends PeriodicJob<number> {
  started = 0;
  active = 0;
  maxActive = 0;
  failNext = false;
  readonly gates: Array<() => void> = [];
  readonly signals: AbortSignal[] = [];

  constructor(log: pino.Logger) {
    super({ what: 'gated work', log, intervalMs: 1_000, clock: { now: () => 0 } });
  }

  protected async run(signal: AbortSignal): Promise<number> {
    this.started += 1;
    this.active += 1;
    this.maxActive = Math.max(this.maxActive, this.active);
    this.signals.push(signal);
    const failing = this.failNext;
    this.failNext = false;
    await new Promise<void>((resolve) => this.gates.push(resolve));
    this.active -= 1;
    if (failing) throw new Error('database went away');
    return this.started;
  }
}

describe('PeriodicJob', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs at start, then an interval after each run ended: never two runs at once, however long one takes', async () => {
    const { log } = capture();
    const job = new GatedJob(log);
    job.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(job.started).toBe(1);
    // The first run takes five intervals: no second one starts meanwhile.
    await vi.advanceTimersByTimeAsync(5_000);
    expect(job.started).toBe(1);
    job.gates.shift()!();
    await vi.advanceTimersByTimeAsync(999);
    expect(job.started).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(job.started).toBe(2);
    expect(job.maxActive).toBe(1);
    job.gates.shift()!();
    await job.stop();
  });

  it('logs a failed run as "<what> failed; will retry" and runs again at the next tick', async () => {
    const { log, lines } = capture();
    const job = new GatedJob(log);
    job.failNext = true;
    job.start();
    await vi.advanceTimersByTimeAsync(0);
    job.gates.shift()!();
    await vi.advanceTimersByTimeAsync(0);
    expect(lines.filter((line) => line.level === 40)).toEqual([expect.objectContaining({ msg: 'gated work failed; will retry', err: 'database went away' })]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(job.started).toBe(2);
    job.gates.shift()!();
    await job.stop();
  });

  it('stop aborts the signal, waits for the run in progress and schedules no other; start twice runs once', async () => {
    const { log } = capture();
    const job = new GatedJob(log);
    job.start();
    job.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(job.started).toBe(1);
    let stopped = false;
    const stopping = job.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(job.signals[0]!.aborted).toBe(true);
    expect(stopped).toBe(false);
    job.gates.shift()!();
    await stopping;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(job.started).toBe(1);
  });

  it('stops when the signal given to start aborts', async () => {
    const { log } = capture();
    const job = new GatedJob(log);
    const controller = new AbortController();
    job.start(controller.signal);
    await vi.advanceTimersByTimeAsync(0);
    controller.abort();
    job.gates.shift()!();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(job.started).toBe(1);
    expect(job.signals[0]!.aborted).toBe(true);
  });

  it('runOnce answers what the run gave, or undefined when it failed', async () => {
    const { log } = capture();
    const job = new GatedJob(log);
    const first = job.runOnce();
    job.gates.shift()!();
    expect(await first).toBe(1);
    job.failNext = true;
    const second = job.runOnce();
    job.gates.shift()!();
    expect(await second).toBeUndefined();
  });
});
