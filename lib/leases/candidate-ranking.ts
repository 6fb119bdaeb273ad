// LeaseCandidate (coordination.k8s.io/v1beta1, or v1alpha2) as Leasetrail keeps it; times in epoch ms.
export type CandidateRecord = {
  name: string;
  leaseName: string;
  binaryVersion: string;
  emulationVersion: string | null;
  strategy: string | null;
  pingTime: number | null;
  renewTime: number | null;
  createdAt: number;
};

export type RankedCandidate = CandidateRecord & {
  rank: number | null;
  isStale: boolean;
  // renewTime − pingTime when the candidate answered the latest ping; null when never pinged.
  pingAnsweredMs: number | null;
  isPingPending: boolean;
  why: string;
};

export const oldestEmulationVersion = 'OldestEmulationVersion';

// The election controller treats a candidate that has not renewed for 30 minutes as gone.
export const candidateStaleAfterMs = 30 * 60_000;

// Versions compare by major.minor.patch numerically; anything unparsable sorts as 0.
export function compareVersions(a: string | null, b: string | null): number {
  const parts = (version: string | null) => (version ?? '').replace(/^v/, '').split(/[.+-]/).slice(0, 3).map((part) => Number.parseInt(part, 10) || 0);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

// OldestEmulationVersion: lowest emulationVersion (binaryVersion when unset), then lowest binaryVersion,
// then the oldest candidate. Stale candidates and those that have not answered a ping are not ranked.
export function rankCandidates(candidates: readonly CandidateRecord[], strategy: string | null, now: number): RankedCandidate[] {
  const described = candidates.map((candidate) => {
    const isStale = candidate.renewTime === null || now - candidate.renewTime > candidateStaleAfterMs;
    const isPingPending = candidate.pingTime !== null && (candidate.renewTime === null || candidate.renewTime < candidate.pingTime);
    const pingAnsweredMs = candidate.pingTime !== null && !isPingPending ? candidate.renewTime! - candidate.pingTime : null;
    return { ...candidate, isStale, isPingPending, pingAnsweredMs };
  });
  const eligible = described.filter((candidate) => !candidate.isStale && !candidate.isPingPending && (strategy === null || candidate.strategy === null || candidate.strategy === strategy));
  const ordered = strategy === oldestEmulationVersion || strategy === null ? [...eligible].sort(compareByOldestEmulation) : eligible;
  const rankOf = new Map(ordered.map((candidate, index) => [candidate.name, index + 1]));
  const best = ordered[0];
  return described
    .map((candidate) => {
      const rank = rankOf.get(candidate.name) ?? null;
      return { ...candidate, rank, why: explainRank(candidate, rank, best, strategy) };
    })
    .sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity) || a.name.localeCompare(b.name));
}

function emulationOf(candidate: CandidateRecord): string {
  return candidate.emulationVersion ?? candidate.binaryVersion;
}

function compareByOldestEmulation(a: CandidateRecord, b: CandidateRecord): number {
  return compareVersions(emulationOf(a), emulationOf(b)) || compareVersions(a.binaryVersion, b.binaryVersion) || a.createdAt - b.createdAt || a.name.localeCompare(b.name);
}

function explainRank(candidate: CandidateRecord & { isStale: boolean; isPingPending: boolean }, rank: number | null, best: CandidateRecord | undefined, strategy: string | null): string {
  if (candidate.isStale) return 'stale: no renewal for 30 min';
  if (candidate.isPingPending) return 'not ranked: ping not answered yet';
  if (strategy !== null && candidate.strategy !== null && candidate.strategy !== strategy) return `not ranked: offers ${candidate.strategy}, the lease uses ${strategy}`;
  if (strategy !== null && strategy !== oldestEmulationVersion) return `${strategy} is not a built-in strategy: order unknown`;
  if (rank === 1) return `first: lowest emulation version ${emulationOf(candidate)}, binary ${candidate.binaryVersion}`;
  if (!best) return '';
  const emulation = compareVersions(emulationOf(candidate), emulationOf(best));
  if (emulation > 0) return `emulation version ${emulationOf(candidate)} is newer than ${emulationOf(best)}`;
  if (compareVersions(candidate.binaryVersion, best.binaryVersion) > 0) return `same emulation version, binary ${candidate.binaryVersion} is newer than ${best.binaryVersion}`;
  return 'same versions, joined later';
}
