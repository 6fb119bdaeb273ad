import { describe, expect, it } from 'vitest';
import { describeIngestFigures, rssPerThousandLeases } from '../../../bench/figures';

const run = { updates: 300_000, seconds: 10, copyPerSecond: 200_000, stallSeconds: 30, boundSeconds: 600 };

describe('ingest figures', () => {
  it('publishes rate and ratio for a run that stored every renewal', () => {
    expect(describeIngestFigures({ ...run, stored: 300_000, endedBy: 'stored', gaps: [] })).toEqual({ perSecond: 30_000, ratio: 0.15, incompleteReason: null });
  });

  it('publishes no rate and no ratio for an incomplete run, and says why', () => {
    const figures = describeIngestFigures({
      ...run,
      stored: 100_000,
      endedBy: 'stall',
      gaps: [
        { cluster: 'c0', reason: 'history_expired' },
        { cluster: 'c1', reason: 'history_expired' },
      ],
    });
    expect(figures.perSecond).toBeNull();
    expect(figures.ratio).toBeNull();
    expect(figures.incompleteReason).toBe('only 100,000 of 300,000 renewals stored when nothing was stored for 30 s; 2 gap(s) stored (history_expired) in 2 cluster(s)');
  });
});

describe('RSS per 1,000 leases', () => {
  it('comes from steady RSS after the backlog, between the smallest and the largest fleet measured', () => {
    expect(
      rssPerThousandLeases([
        { leases: 200_000, rssSteadyMiB: 400 },
        { leases: 10_000, rssSteadyMiB: 210 },
        { leases: 50_000, rssSteadyMiB: null },
      ]),
    ).toBe(1);
    expect(rssPerThousandLeases([{ leases: 10_000, rssSteadyMiB: 210 }])).toBeNull();
  });
});
