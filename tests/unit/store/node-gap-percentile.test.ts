import { describe, expect, it } from 'vitest';
import { gapPercentile } from '../../../lib/store/node-heartbeats';
import { representativeOf } from '../../../lib/store/renew-histogram';

describe('gapPercentile', () => {
  // Index 400 is the bucket around 3 s: its representative lies inside it, above its lowest gaps.
  const index = 400;
  const representative = Math.round(representativeOf(index));

  it('reads the bucket representative when the worst gap is above it', () => {
    expect(representative).toBeGreaterThan(1_000);
    expect(gapPercentile(index, representative + 500)).toBe(representative);
    expect(gapPercentile(index, null)).toBe(representative);
  });

  it('never answers a percentile above the worst gap (the rank fell in the top bucket, whose representative is above the maximum)', () => {
    expect(gapPercentile(index, representative - 3)).toBe(representative - 3);
  });

  it('has no percentile without intervals', () => {
    expect(gapPercentile(null, 4_000)).toBeNull();
  });
});
