import { describe, expect, it } from 'vitest';
import { timeTicks } from '../../../lib/ui/time-ticks';

const hour = 3_600_000;
const from = Date.parse('2026-11-24T10:07:00Z');

describe('timeTicks', () => {
  it('keeps ticks at least a label apart', () => {
    for (const width of [200, 390, 800, 1280]) {
      const ticks = timeTicks(from, from + hour, width);
      expect(ticks.length).toBeGreaterThanOrEqual(width < 390 ? 1 : 2);
      if (ticks.length < 2) continue;
      const spacing = ((ticks[1]! - ticks[0]!) / hour) * width;
      expect(spacing).toBeGreaterThanOrEqual(96);
    }
  });

  it('puts ticks on round times of the chosen zone', () => {
    const ticks = timeTicks(from, from + 6 * hour, 400, 'Asia/Kolkata');
    for (const at of ticks) expect(new Date(at).getUTCMinutes()).toBe(30);
    const utc = timeTicks(from, from + 6 * hour, 400, 'UTC');
    for (const at of utc) expect(new Date(at).getUTCMinutes()).toBe(0);
  });

  it('leaves out a tick whose centred label would spill past either end of the axis', () => {
    // A 15-minute range 2 s before a round two minutes (as "last 15 m" often is): the round tick 2 s in is
    // 2 px from the left end of an 1,100 px axis, where its label would cover the value axis's "0".
    const start = Date.parse('2026-11-24T10:05:58Z');
    const ticks = timeTicks(start, start + 15 * 60_000, 1_100);
    expect(ticks.length).toBeGreaterThan(3);
    for (const at of ticks) {
      const x = ((at - start) / (15 * 60_000)) * 1_100;
      expect(x).toBeGreaterThanOrEqual(48);
      expect(1_100 - x).toBeGreaterThanOrEqual(48);
    }
    expect(ticks).not.toContain(Date.parse('2026-11-24T10:06:00Z'));
    expect(ticks).toContain(Date.parse('2026-11-24T10:08:00Z'));
  });
});
