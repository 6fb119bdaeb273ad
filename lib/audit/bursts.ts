export const DEFAULT_BURST_GAP_MS = 60_000;

export type BurstMember = { id: string; at: number; cluster: string; namespace: string; name: string };

export type Burst = {
  start: number;
  end: number;
  count: number;
  clusters: string[];
  /** cluster/namespace/name of every lease that failed over in the burst */
  leases: string[];
  failoverIds: string[];
};

// A burst is a maximal run of failovers each at most maxGapMs after the previous one; a failover on
// its own is no burst. Largest first: many leases in several clusters at once points at a shared cause.
export function groupBursts(failovers: readonly BurstMember[], maxGapMs: number = DEFAULT_BURST_GAP_MS): Burst[] {
  const sorted = [...failovers].sort((a, b) => a.at - b.at || a.id.localeCompare(b.id));
  const runs: BurstMember[][] = [];
  for (const failover of sorted) {
    const run = runs.at(-1);
    const last = run?.at(-1);
    if (run && last && failover.at - last.at <= maxGapMs) run.push(failover);
    else runs.push([failover]);
  }
  return runs
    .filter((run) => run.length > 1)
    .map(toBurst)
    .sort((a, b) => b.count - a.count || b.clusters.length - a.clusters.length || a.start - b.start);
}

function toBurst(run: BurstMember[]): Burst {
  const unique = (values: string[]) => [...new Set(values)].sort();
  return {
    start: run[0]!.at,
    end: run.at(-1)!.at,
    count: run.length,
    clusters: unique(run.map((failover) => failover.cluster)),
    leases: unique(run.map((failover) => `${failover.cluster}/${failover.namespace}/${failover.name}`)),
    failoverIds: run.map((failover) => failover.id),
  };
}
