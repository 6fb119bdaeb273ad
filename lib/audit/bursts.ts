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

export type MarkedFailover<T> = { item: T; burstStart: number | null };

// groupBursts for a stream, oldest first: each failover comes out with the start of the burst it
// belongs to (null outside any burst), holding back only the failovers that wait on the next one to
// know whether a run began. `isTimed` false (a missed change) joins no run and breaks none.
export function createBurstMarker<T>(input: { maxGapMs: number; atOf: (item: T) => number; isTimed: (item: T) => boolean }) {
  let held: T[] = [];
  let runStart = Number.NaN;
  let runLast = Number.NaN;
  let isBurst = false;
  const release = (burstStart: number | null): Array<MarkedFailover<T>> => {
    const out = held.map((item) => ({ item, burstStart: input.isTimed(item) ? burstStart : null }));
    held = [];
    return out;
  };
  return {
    push(item: T): Array<MarkedFailover<T>> {
      if (!input.isTimed(item)) {
        if (held.length > 0) {
          held.push(item);
          return [];
        }
        return [{ item, burstStart: null }];
      }
      const at = input.atOf(item);
      if (at - runLast <= input.maxGapMs) {
        runLast = at;
        const out = isBurst ? [] : release(runStart);
        isBurst = true;
        return [...out, { item, burstStart: runStart }];
      }
      const out = release(null);
      runStart = runLast = at;
      isBurst = false;
      held = [item];
      return out;
    },
    end(): Array<MarkedFailover<T>> {
      return release(null);
    },
  };
}
