import { describe, expect, it } from 'vitest';
import { timeTicks } from '../../../lib/ui/time-ticks';

const hour = 3_600_000;
const from = Date.parse('2026-11-24T10:07:00Z');

describe('timeTicks', () => {
  it('keeps ticks at least a label apart', () => {
    for (const width of [200, 390, 800, 1280]) {
      const ticks = timeTicks(from, from + hour, width);
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
});
