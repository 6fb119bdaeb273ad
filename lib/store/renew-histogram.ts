import { type Sql, sql, raw } from './sql';

// Log-bucket histograms of whole milliseconds (renew interval, observation lag), the shape RenewRollup
// stores them in. Bucket j >= 0 holds |v| in [γ^j, γ^(j+1)); its representative is within
// RELATIVE_ERROR of every value it stands for, so a percentile read from merged buckets is too.
export const PERCENTILE_RELATIVE_ERROR = 0.01;

const gamma = (1 + PERCENTILE_RELATIVE_ERROR) / (1 - PERCENTILE_RELATIVE_ERROR);
const lnGamma = Math.log(gamma);

// One SQL expression decides every bucket, in the rollup job and at read time alike, so a value never
// lands in different buckets on the two paths. Signed: index 0 is 0 ms, -i mirrors i for negative lags.
export function histogramIndex(column: Sql): Sql {
  return sql`(CASE WHEN ${column} = 0 THEN 0 ELSE sign(${column})::int * (1 + floor(ln(abs(${column}::float8)) / ${raw(lnGamma.toPrecision(17))})::int) END)`;
}

// A stored entry packs (index, count) into one int4: (index + 2048) << 16 | count, count < 65536.
export const ENTRY_INDEX_OFFSET = 2048;
export const ENTRY_MAX_COUNT = 65_535;

export type HistogramBucket = { index: number; count: number };

// The whole milliseconds a bucket can hold, and the one value standing for them: exact when it holds a
// single integer, otherwise 2ab/(a+b), whose relative error over [a, b] is (b-a)/(b+a) < RELATIVE_ERROR.
export function representativeOf(index: number): number {
  if (index === 0) return 0;
  const j = Math.abs(index) - 1;
  const low = Math.ceil(Math.exp(j * lnGamma) - 1e-9);
  const high = Math.max(low, Math.ceil(Math.exp((j + 1) * lnGamma) - 1e-9) - 1);
  return Math.sign(index) * ((2 * low * high) / (low + high));
}

// percentile_cont over the merged histogram: the same interpolation between the two neighbouring ranks,
// with each rank's value read from its bucket.
export function percentilesOf(buckets: HistogramBucket[], fractions: number[]): Array<number | null> {
  const sorted = [...buckets].filter((b) => b.count > 0).sort((a, b) => a.index - b.index);
  const total = sorted.reduce((sum, b) => sum + b.count, 0);
  if (total === 0) return fractions.map(() => null);
  const valueAt = (rank: number) => {
    let seen = 0;
    for (const bucket of sorted) {
      seen += bucket.count;
      if (rank < seen) return representativeOf(bucket.index);
    }
    return representativeOf(sorted.at(-1)!.index);
  };
  return fractions.map((fraction) => {
    const rank = fraction * (total - 1);
    const below = Math.floor(rank);
    const lower = valueAt(below);
    return lower + (rank - below) * (valueAt(Math.ceil(rank)) - lower);
  });
}
