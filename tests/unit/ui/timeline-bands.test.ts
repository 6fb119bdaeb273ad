import { describe, expect, it } from 'vitest';
import type { DegradedBandFact } from '../../../lib/leases/failover-hint';
import { bandClock, describeBand, findBandAt, layoutBands } from '../../../lib/ui/timeline-bands';

const band = (id: string, startedAt: number, endedAt: number | null, reason: DegradedBandFact['reason'] = 'renewals_stalled'): DegradedBandFact => ({ id, startedAt, endedAt, reason, stalledLeases: 3, totalLeases: 3 });
// A view of 1,000 ms over 100 px starting 20 px from the left: 10 ms a pixel.
const view = { from: 10_000, to: 11_000, now: 20_000, left: 20, plotWidth: 100 };
const spans = (bands: DegradedBandFact[], overrides: Partial<typeof view> = {}) => layoutBands(bands, { ...view, ...overrides }).map(({ band: { id }, start, end, x, width }) => ({ id, start, end, x, width }));

describe('layoutBands', () => {
  it('places a closed band inside the view at its pixels', () => {
    expect(spans([band('a', 10_200, 10_500)])).toEqual([{ id: 'a', start: 10_200, end: 10_500, x: 40, width: 30 }]);
  });

  it('clips a band that starts before the view or ends after it', () => {
    expect(spans([band('a', 9_000, 10_100), band('b', 10_900, 12_000)])).toEqual([
      { id: 'a', start: 10_000, end: 10_100, x: 20, width: 10 },
      { id: 'b', start: 10_900, end: 11_000, x: 110, width: 10 },
    ]);
  });

  it('leaves out bands wholly outside the view', () => {
    expect(spans([band('before', 8_000, 9_999), band('after', 11_000, 12_000), band('open-after', 11_500, null)])).toEqual([]);
  });

  it('draws an open band up to now, and to the view edge when now is past it', () => {
    expect(spans([band('a', 10_500, null)], { now: 10_800 })).toEqual([{ id: 'a', start: 10_500, end: 10_800, x: 70, width: 30 }]);
    expect(spans([band('a', 10_500, null)])).toEqual([{ id: 'a', start: 10_500, end: 11_000, x: 70, width: 50 }]);
  });

  it('keeps a band shorter than a pixel one pixel wide', () => {
    expect(spans([band('a', 10_501, 10_502)])).toEqual([{ id: 'a', start: 10_501, end: 10_502, x: 70, width: 1 }]);
  });

  it('orders bands by start, as they come newest first from the API', () => {
    expect(spans([band('new', 10_600, 10_700), band('old', 10_100, 10_200)]).map((span) => span.id)).toEqual(['old', 'new']);
  });

  it('draws nothing for an empty view', () => {
    expect(spans([band('a', 10_000, 10_500)], { to: 10_000 })).toEqual([]);
  });
});

describe('findBandAt', () => {
  it('finds the band under a pixel, the latest drawn where two overlap', () => {
    const laid = layoutBands([band('a', 10_100, 10_400), band('b', 10_300, 10_600)], view);
    expect(findBandAt(laid, 35)?.band.id).toBe('a');
    expect(findBandAt(laid, 55)?.band.id).toBe('b');
    expect(findBandAt(laid, 85)).toBeUndefined();
  });
});

describe('describeBand', () => {
  it('says what the detector saw', () => {
    expect(describeBand(band('a', 0, 1))).toBe('API server degraded: 3 of 3 leases overdue at once');
    expect(describeBand(band('a', 0, 1, 'watch_failed'))).toBe('API server degraded: watch of the cluster failing');
  });
});

describe('bandClock', () => {
  it('follows the clock while a band is open, so the open band grows', () => {
    expect(bandClock([{ bands: [band('a', 10_000, 10_200)] }, { bands: [band('b', 10_500, null)] }], 10_800, 11_000)).toBe(10_800);
  });

  it('stays at the view end when no band is open, so a clock tick changes nothing drawn', () => {
    const rows = [{ bands: [band('a', 10_000, 10_200)] }, {}, { bands: [] }];
    expect(bandClock(rows, 10_800, 11_000)).toBe(11_000);
    expect(bandClock(rows, 10_801, 11_000)).toBe(bandClock(rows, 10_800, 11_000));
    expect(bandClock([], 10_800, 11_000)).toBe(11_000);
  });
});
