import { buildTimeline, type Segment, type TimelineGap, type TimelineTransition } from '../ui/timeline';

export type LeaseWindowInput = {
  from: number;
  to: number;
  /** the lease's transitions of every kind in [from, to) */
  transitions: TimelineTransition[];
  /** the last transition before `from`: who held the lease when the window opened */
  lastBefore: Pick<TimelineTransition, 'kind' | 'toHolder'> | null;
  /** when Leasetrail first observed the lease */
  firstSeenAt: number;
  /** observation gaps of the lease's cluster */
  gaps: TimelineGap[];
};

export type LeaseWindowSummary = {
  failovers: number;
  earlyTakeovers: number;
  missed: number;
  leaderlessMs: number;
  longestLeaderlessMs: number;
  ledMs: number;
  /** not observed: inside an observation gap, or before Leasetrail saw the lease */
  unknownMs: number;
  windowMs: number;
  /** share of the whole window with a valid leader, 0…1 */
  ledShare: number;
};

const noChange = { cause: null, isRestart: false, leaderlessMs: null, overlapMs: null, missedCount: 0 } as const;

// buildTimeline infers who led at the start from the first transition in range, which after a blind
// spot says "unknown"; the last transition before the window knows better, so it opens the range.
function openingOf(input: LeaseWindowInput): TimelineTransition[] {
  const last = input.lastBefore;
  if (!last) return [];
  const holder = last.kind === 'acquired' || last.kind === 'resumed' || last.kind === 'missed' || last.kind === 'reset' ? last.toHolder : null;
  return holder === null
    ? [{ ...noChange, id: 'window-start', kind: 'released', at: input.from, fromHolder: null, toHolder: null }]
    : [{ ...noChange, id: 'window-start', kind: 'resumed', at: input.from, fromHolder: holder, toHolder: holder }];
}

// Time inside an observation gap is unknown, never led nor leaderless: a blind audit must not read as a calm one.
export function summarizeLeaseWindow(input: LeaseWindowInput): LeaseWindowSummary {
  const { from, to } = input;
  const inWindow = input.transitions.filter((t) => t.at >= from && t.at < to);
  const isSeenBefore = input.lastBefore !== null || inWindow.length > 0;
  // Without any transition the lease was seen unheld: leaderless from the first sighting, unknown before it.
  const knownFrom = isSeenBefore ? from : Math.min(to, Math.max(from, input.firstSeenAt));
  const segments: Segment[] = [
    ...(knownFrom > from ? [{ type: 'unknown' as const, start: from, end: knownFrom, reason: 'before Leasetrail saw this lease' }] : []),
    ...buildTimeline({ from: knownFrom, to, transitions: [...openingOf(input), ...inWindow], gaps: input.gaps, currentHolder: null, holderSince: null }).segments,
  ];

  let ledMs = 0;
  let leaderlessMs = 0;
  let unknownMs = 0;
  let longestLeaderlessMs = 0;
  let run = 0;
  let runEnd = Number.NaN;
  for (const segment of segments) {
    const length = segment.end - segment.start;
    if (segment.type === 'held') ledMs += length;
    else if (segment.type === 'unknown') unknownMs += length;
    else {
      leaderlessMs += length;
      run = segment.start === runEnd ? run + length : length;
      runEnd = segment.end;
      longestLeaderlessMs = Math.max(longestLeaderlessMs, run);
    }
  }
  const windowMs = Math.max(0, to - from);
  return {
    failovers: inWindow.filter((t) => t.kind === 'acquired' && t.cause !== 'first').length,
    earlyTakeovers: inWindow.filter((t) => t.kind === 'acquired' && t.cause === 'early_takeover').length,
    missed: inWindow.reduce((sum, t) => sum + t.missedCount, 0),
    leaderlessMs,
    longestLeaderlessMs,
    ledMs,
    unknownMs,
    windowMs,
    ledShare: windowMs > 0 ? ledMs / windowMs : 0,
  };
}
