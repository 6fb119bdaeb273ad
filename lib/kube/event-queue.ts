// The queue between a cluster's source and its reconciler: events wait here while the previous batch
// is written, so under load they coalesce into large batches. Bounded: past `limit` while the store is
// unreachable, the controller forgets them, records a gap and relists (see ClusterController).
export class EventQueue<T> {
  private items: T[] = [];
  private wake: (() => void) | undefined;

  constructor(private readonly options: { limit: number; batchSize: number }) {}

  get size(): number {
    return this.items.length;
  }

  get isOverflowing(): boolean {
    return this.items.length > this.options.limit;
  }

  push(item: T): void {
    this.items.push(item);
    if (this.items.length === 1 || this.items.length >= this.options.batchSize) this.wake?.();
  }

  // Up to one batch from the front; stays queued until `drop` (a failed write retries the same events).
  peek(): T[] {
    return this.items.slice(0, this.options.batchSize);
  }

  drop(count: number): void {
    this.items.splice(0, count);
  }

  clear(): void {
    this.items = [];
  }

  // Resolves after `ms`, on abort, or (when `isWakeable`) as soon as an event is queued.
  pause(ms: number, signal: AbortSignal, isWakeable: boolean): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        if (this.wake === done) this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      if (isWakeable) this.wake = done;
      signal.addEventListener('abort', done, { once: true });
    });
  }
}
