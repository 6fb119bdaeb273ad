import { describe, expect, it } from 'vitest';
import { Semaphore } from '@/lib/kube/semaphore';

// Lets every pending promise continuation run; no wall-clock wait.
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('Semaphore', () => {
  it('lets at most N run at once, the rest in arrival order, and frees a permit when work fails', async () => {
    const semaphore = new Semaphore(2);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const releases: Array<() => void> = [];
    const task = (id: number, fail = false) =>
      semaphore.run(async () => {
        running += 1;
        most = Math.max(most, running);
        order.push(id);
        await new Promise<void>((resolve) => releases.push(resolve));
        running -= 1;
        if (fail) throw new Error(`task ${id} failed`);
        return id;
      });
    const results = [task(1, true), task(2), task(3), task(4)].map((promise) => promise.catch((error: Error) => error.message));
    await settle();
    expect(order).toEqual([1, 2]);
    releases.shift()!();
    await settle();
    expect(order).toEqual([1, 2, 3]);
    while (releases.length > 0 || order.length < 4) {
      releases.shift()?.();
      await settle();
    }
    expect(await Promise.all(results)).toEqual(['task 1 failed', 2, 3, 4]);
    expect(most).toBe(2);
  });

  it('refuses a semaphore without permits', () => {
    expect(() => new Semaphore(0)).toThrow(/at least one permit/);
  });
});
