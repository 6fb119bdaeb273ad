import { describe, expect, it } from 'vitest';
import { histogramRanks, windowTiersOf } from '../../../lib/store/node-heartbeats';

const at = (time: string) => new Date(`2026-12-07T${time}Z`);
const span = (from: string, to: string) => ({ from: at(from), to: at(to) });

// Minute buckets a window counts: those starting inside [from, to).
function minutesOf(from: Date, to: Date): number[] {
  const minutes: number[] = [];
  for (let m = Math.ceil(from.getTime() / 60_000) * 60_000; m < to.getTime(); m += 60_000) minutes.push(m);
  return minutes;
}

describe('windowTiersOf', () => {
  it('reads whole hours, whole 10-minute blocks around them and only the edge minutes', () => {
    expect(windowTiersOf(span('11:01:00', '17:01:00'))).toEqual({
      hours: [span('12:00:00', '17:00:00')],
      blocks: [span('11:10:00', '12:00:00')],
      minutes: [span('11:01:00', '11:10:00'), span('17:00:00', '17:01:00')],
    });
    expect(windowTiersOf(span('16:01:00', '17:01:00'))).toEqual({ hours: [], blocks: [span('16:10:00', '17:00:00')], minutes: [span('16:01:00', '16:10:00'), span('17:00:00', '17:01:00')] });
    expect(windowTiersOf(span('12:00:00', '18:00:00'))).toEqual({ hours: [span('12:00:00', '18:00:00')], blocks: [], minutes: [] });
    expect(windowTiersOf(span('12:52:00', '12:57:00'))).toEqual({ hours: [], blocks: [], minutes: [span('12:52:00', '12:57:00')] });
  });

  it.each([
    ['11:01:00', '17:01:00'],
    ['10:00:30', '11:09:30.5'],
    ['09:59:59.999', '16:20:00.001'],
    ['00:00:00', '23:59:00'],
    ['12:09:00', '12:11:00'],
  ])('covers every minute of %s–%s exactly once', (from, to) => {
    const tiers = windowTiersOf(span(from, to));
    const covered = [...tiers.hours, ...tiers.blocks, ...tiers.minutes].flatMap((part) => minutesOf(part.from, part.to)).sort((a, b) => a - b);
    expect(covered).toEqual(minutesOf(at(from), at(to)));
    // Each hour and block span is whole; at most 10 minute rows at each end.
    for (const part of tiers.hours) expect([part.from.getTime() % 3_600_000, part.to.getTime() % 3_600_000]).toEqual([0, 0]);
    for (const part of tiers.blocks) expect([part.from.getTime() % 600_000, part.to.getTime() % 600_000]).toEqual([0, 0]);
    for (const part of tiers.minutes) expect(minutesOf(part.from, part.to).length).toBeLessThanOrEqual(10);
  });
});

describe('histogramRanks', () => {
  it('gives the total and the first buckets whose cumulative count reaches half and 99 % of it, in whole numbers', () => {
    expect(histogramRanks([], [])).toEqual([0, null, null]);
    expect(histogramRanks([5, 9], [1, 1])).toEqual([2, 5, 9]);
    // The bucket reaching exactly 99 % of the total is the p99.
    expect(histogramRanks([1, 2], [297, 3])).toEqual([300, 1, 1]);
    expect(histogramRanks([1, 2, 3], [50, 49, 1])).toEqual([100, 1, 2]);
  });
});
