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

type Version = { core: [number, number, number]; pre: string[] };

// Semantic versions read tolerantly, as kube-apiserver reads them (blang/semver ParseTolerant): spaces and a
// leading "v" dropped, leading zeros ignored, "1.33" is 1.33.0; anything else that is no semver is invalid (null).
export function parseVersion(text: string | null): Version | null {
  if (text === null) return null;
  const trimmed = text.trim().replace(/^v/, '');
  const parts = trimmed.split('.');
  const head = parts.slice(0, 2);
  const rest = parts.slice(2).join('.');
  if (parts.length < 3 && /[+-]/.test(parts.at(-1) ?? '')) return null;
  const patchAndMeta = parts.length >= 3 ? rest : '0';
  const match = /^(\d+)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/.exec(patchAndMeta);
  if (!match || head.length === 0 || head.some((part) => !/^\d+$/.test(part))) return null;
  const [major, minor] = [Number(head[0]), head.length > 1 ? Number(head[1]) : 0];
  const pre = match[2] === undefined ? [] : match[2].split('.');
  if (pre.some((identifier) => /^0\d+$/.test(identifier))) return null;
  return { core: [major, minor, Number(match[1])], pre };
}

function compareIdentifiers(a: string, b: string): number {
  const [x, y] = [/^\d+$/.test(a), /^\d+$/.test(b)];
  if (x && y) return Number(a) - Number(b);
  if (x !== y) return x ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

// Semver precedence; an invalid version counts as 0.0.0 (what the controller's "OrZero" getters do).
export function compareVersions(a: string | null, b: string | null): number {
  const zero: Version = { core: [0, 0, 0], pre: [] };
  const [x, y] = [parseVersion(a) ?? zero, parseVersion(b) ?? zero];
  for (let i = 0; i < 3; i++) if (x.core[i] !== y.core[i]) return Math.sign(x.core[i]! - y.core[i]!);
  if (x.pre.length === 0 || y.pre.length === 0) return Math.sign(y.pre.length - x.pre.length);
  for (let i = 0; i < Math.min(x.pre.length, y.pre.length); i++) {
    const order = compareIdentifiers(x.pre[i]!, y.pre[i]!);
    if (order !== 0) return Math.sign(order);
  }
  return Math.sign(x.pre.length - y.pre.length);
}

// The strategy kube-apiserver elects with: the one of the candidates with the highest binary version; two of
// them at that version offering different strategies is a conflict (no election).
export function pickStrategy(candidates: readonly CandidateRecord[]): { strategy: string | null; conflict: string | null } {
  let best: CandidateRecord | undefined;
  for (const candidate of candidates) {
    if (!best || compareVersions(best.binaryVersion, candidate.binaryVersion) < 0) best = candidate;
    else if (compareVersions(best.binaryVersion, candidate.binaryVersion) === 0 && candidate.strategy !== best.strategy) {
      return { strategy: null, conflict: `${best.name} and ${candidate.name} at binary version ${best.binaryVersion} offer ${best.strategy ?? 'no strategy'} and ${candidate.strategy ?? 'no strategy'}` };
    }
  }
  return { strategy: best?.strategy ?? null, conflict: null };
}

const isValidForOldestEmulation = (candidate: CandidateRecord) => parseVersion(candidate.emulationVersion) !== null && parseVersion(candidate.binaryVersion) !== null;

// OldestEmulationVersion as kube-apiserver's election controller applies it: of the candidates that answered
// (not stale, no ping pending), the strategy comes from those with the highest binary version; candidates whose
// emulation or binary version is no valid version are skipped; the rest by lowest emulation version, then lowest
// binary version, then the oldest.
export function rankCandidates(candidates: readonly CandidateRecord[], now: number): RankedCandidate[] {
  const described = candidates.map((candidate) => {
    const isStale = candidate.renewTime === null || now - candidate.renewTime > candidateStaleAfterMs;
    const isPingPending = candidate.pingTime !== null && (candidate.renewTime === null || candidate.renewTime < candidate.pingTime);
    const pingAnsweredMs = candidate.pingTime !== null && !isPingPending ? candidate.renewTime! - candidate.pingTime : null;
    return { ...candidate, isStale, isPingPending, pingAnsweredMs };
  });
  const answered = described.filter((candidate) => !candidate.isStale && !candidate.isPingPending);
  const { strategy, conflict } = pickStrategy(answered);
  const ordered = strategy === oldestEmulationVersion ? answered.filter(isValidForOldestEmulation).sort(compareByOldestEmulation) : [];
  const rankOf = new Map(ordered.map((candidate, index) => [candidate.name, index + 1]));
  const best = ordered[0];
  return described
    .map((candidate) => {
      const rank = rankOf.get(candidate.name) ?? null;
      return { ...candidate, rank, why: explainRank(candidate, rank, best, strategy, conflict) };
    })
    .sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity) || a.name.localeCompare(b.name));
}

function compareByOldestEmulation(a: CandidateRecord, b: CandidateRecord): number {
  return compareVersions(a.emulationVersion, b.emulationVersion) || compareVersions(a.binaryVersion, b.binaryVersion) || a.createdAt - b.createdAt || a.name.localeCompare(b.name);
}

function explainRank(candidate: CandidateRecord & { isStale: boolean; isPingPending: boolean }, rank: number | null, best: CandidateRecord | undefined, strategy: string | null, conflict: string | null): string {
  if (candidate.isStale) return 'stale: no renewal for 30 min';
  if (candidate.isPingPending) return 'not ranked: ping not answered yet';
  if (conflict !== null) return `not ranked: no election while ${conflict}`;
  if (strategy !== oldestEmulationVersion) return `the candidates' strategy ${strategy ?? '(none)'} is not built in: order unknown`;
  if (parseVersion(candidate.emulationVersion) === null) return `not ranked: emulation version ${candidate.emulationVersion === null ? 'missing' : `"${candidate.emulationVersion}" is no valid version`}`;
  if (parseVersion(candidate.binaryVersion) === null) return `not ranked: binary version "${candidate.binaryVersion}" is no valid version`;
  if (rank === 1) return `first: lowest emulation version ${candidate.emulationVersion}, binary ${candidate.binaryVersion}`;
  if (!best) return '';
  if (compareVersions(candidate.emulationVersion, best.emulationVersion) > 0) return `emulation version ${candidate.emulationVersion} is newer than ${best.emulationVersion}`;
  if (compareVersions(candidate.binaryVersion, best.binaryVersion) > 0) return `same emulation version, binary ${candidate.binaryVersion} is newer than ${best.binaryVersion}`;
  return 'same versions, joined later';
}
