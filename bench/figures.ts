// What the ingest and growth benchmarks publish, apart from how they measure it: a rate or a ratio is a
// figure only when the run stored every renewal; otherwise it is null, with the reason.

export type IngestEnd = 'stored' | 'stall' | 'bound';

export type IngestFigures = { perSecond: number | null; ratio: number | null; incompleteReason: string | null };

export function describeIngestFigures(input: {
  updates: number;
  stored: number;
  seconds: number;
  copyPerSecond: number;
  endedBy: IngestEnd;
  gaps: Array<{ cluster: string; reason: string }>;
  stallSeconds: number;
  boundSeconds: number;
}): IngestFigures {
  if (input.stored >= input.updates) {
    const perSecond = Math.round(input.updates / input.seconds);
    return { perSecond, ratio: Math.round((perSecond / input.copyPerSecond) * 100) / 100, incompleteReason: null };
  }
  const ending = input.endedBy === 'bound' ? `the ${input.boundSeconds} s bound was reached` : `nothing was stored for ${input.stallSeconds} s`;
  const reasons = [...new Set(input.gaps.map((gap) => gap.reason))].join(', ');
  const gapText = input.gaps.length > 0 ? `; ${input.gaps.length} gap(s) stored (${reasons}) in ${new Set(input.gaps.map((gap) => gap.cluster)).size} cluster(s)` : '; no gap stored';
  return {
    perSecond: null,
    ratio: null,
    incompleteReason: `only ${input.stored.toLocaleString('en')} of ${input.updates.toLocaleString('en')} renewals stored when ${ending}${gapText}`,
  };
}

// RSS growth per 1,000 more leases, from the steady RSS after the backlog (not the peak while it is
// buffered, which measures the backlog, not per-lease state), between the smallest and largest fleet.
export function rssPerThousandLeases(rows: Array<{ leases: number; rssSteadyMiB: number | null }>): number | null {
  const measured = rows.filter((row): row is { leases: number; rssSteadyMiB: number } => row.rssSteadyMiB !== null).sort((a, b) => a.leases - b.leases);
  const first = measured[0];
  const last = measured.at(-1);
  if (!first || !last || last.leases <= first.leases) return null;
  return Math.round(((last.rssSteadyMiB - first.rssSteadyMiB) / ((last.leases - first.leases) / 1_000)) * 100) / 100;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
