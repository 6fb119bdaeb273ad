import { describe, expect, it } from 'vitest';
import { createElapsedClock } from '../../../lib/ui/elapsed-clock';

// A clock whose timer is driven by the test: `advance` moves time and fires the ticks that fall due.
function fakeTime(start: number) {
  let time = start;
  let timer: { ms: number; tick: () => void; next: number } | undefined;
  let started = 0;
  return {
    deps: {
      now: () => time,
      every: (ms: number, tick: () => void) => {
        started += 1;
        const own = { ms, tick, next: time + ms };
        timer = own;
        return () => {
          if (timer === own) timer = undefined;
        };
      },
    },
    advance(ms: number) {
      const end = time + ms;
      while (timer && timer.next <= end) {
        time = timer.next;
        timer.next += timer.ms;
        timer.tick();
      }
      time = end;
    },
    isRunning: () => timer !== undefined,
    timersStarted: () => started,
  };
}

const hour = 3_600_000;
const start = Date.parse('2026-12-08T00:00:00Z');

describe('createElapsedClock', () => {
  it('tells a reader nothing while its text stays the same: 10,000 leases held for hours, a minute of ticks', () => {
    const time = fakeTime(start);
    const clock = createElapsedClock(start, time.deps);
    let calls = 0;
    // Held since 2 h 0 m 30 s ago: the text reads "2 h 0 m" for the next 30 s, then "2 h 1 m".
    for (let index = 0; index < 10_000; index += 1) clock.subscribe(start - 2 * hour - 30_000, () => (calls += 1));
    expect(clock.textSince(start - 2 * hour - 30_000)).toBe('2 h 0 m');
    time.advance(29_000);
    expect(calls).toBe(0);
    time.advance(1_000);
    expect(calls).toBe(10_000);
    expect(clock.textSince(start - 2 * hour - 30_000)).toBe('2 h 1 m');
    time.advance(59_000);
    expect(calls).toBe(10_000);
  });

  it('tells a young tenure every second, and only it', () => {
    const time = fakeTime(start);
    const clock = createElapsedClock(start, time.deps);
    const young: string[] = [];
    let old = 0;
    clock.subscribe(start - 12_000, () => young.push(clock.textSince(start - 12_000)));
    clock.subscribe(start - 5 * hour, () => (old += 1));
    time.advance(3_000);
    expect(young).toEqual(['13 s', '14 s', '15 s']);
    expect(old).toBe(0);
  });

  it("reads the server's time carried forward by ours, never earlier than the server's", () => {
    const time = fakeTime(start);
    const serverNow = start + 60_000;
    const clock = createElapsedClock(serverNow, time.deps);
    const since = serverNow - 30_000;
    clock.subscribe(since, () => undefined);
    expect(clock.textSince(since)).toBe('30 s');
    // Our clock runs a minute behind the server's; the answer arrived 2 s after the server wrote it.
    clock.sync(serverNow, start + 2_000);
    expect(clock.textSince(since)).toBe('30 s');
    time.advance(5_000);
    expect(clock.textSince(since)).toBe('33 s');
  });

  it('runs its timer only while someone reads it', () => {
    const time = fakeTime(start);
    const clock = createElapsedClock(start, time.deps);
    expect(time.isRunning()).toBe(false);
    const stopA = clock.subscribe(start, () => undefined);
    const stopB = clock.subscribe(start, () => undefined);
    expect(time.timersStarted()).toBe(1);
    stopA();
    expect(time.isRunning()).toBe(true);
    stopB();
    expect(time.isRunning()).toBe(false);
  });
});
