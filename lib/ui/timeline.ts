import type { WindowStartState } from '../timeline/window-start';

export type TimelineTransition = {
  id: string;
  // A string beside the known kinds: a kind added later must not break a drawing.
  kind: 'acquired' | 'released' | 'expired' | 'deleted' | 'missed' | 'resumed' | 'reset' | (string & {});
  cause: string | null;
  at: number;
  fromHolder: string | null;
  toHolder: string | null;
  isRestart: boolean;
  leaderlessMs: number | null;
  overlapMs: number | null;
  missedCount: number;
};

export type TimelineGap = { startedAt: number; endedAt: number | null; reason: string };

export type Segment =
  | { type: 'held'; start: number; end: number; holder: string }
  | { type: 'leaderless'; start: number; end: number }
  | { type: 'unknown'; start: number; end: number; reason: string }
  | { type: 'churn'; start: number; end: number; failovers: number; missed: number; ledMs: number | null; leaderlessMs: number | null };

export const markerTypes = ['early_takeover', 'restart', 'missed', 'resumed', 'reset', 'unknown_cause'] as const;

export type Marker = { at: number; type: (typeof markerTypes)[number]; transition: TimelineTransition };

export type Timeline = { segments: Segment[]; markers: Marker[] };

type Holder = { state: 'held'; holder: string } | { state: 'leaderless' } | { state: 'unknown'; reason: string };

function holderAtStart(state: WindowStartState): Holder {
  if (state.state === 'held') return { state: 'held', holder: state.holder };
  return state.state === 'leaderless' ? { state: 'leaderless' } : { state: 'unknown', reason: state.reason };
}

// Without the state at the window's start, the first transition in range is the best guess.
function holderBefore(first: TimelineTransition | undefined, current: string | null, currentSince: number | null, from: number): Holder {
  if (!first) {
    if (currentSince !== null && currentSince > from) return { state: 'unknown', reason: 'before Leasetrail saw this lease' };
    return current ? { state: 'held', holder: current } : { state: 'leaderless' };
  }
  if (first.kind === 'acquired' && first.cause === 'first') return { state: 'unknown', reason: 'before Leasetrail saw this lease' };
  if (first.kind === 'acquired' && first.missedCount > 0) return { state: 'unknown', reason: 'changes Leasetrail did not see' };
  if (first.kind === 'acquired' && first.cause === 'unknown') return { state: 'unknown', reason: 'not observed' };
  return first.fromHolder ? { state: 'held', holder: first.fromHolder } : { state: 'leaderless' };
}

function pushSegment(segments: Segment[], holder: Holder, start: number, end: number): void {
  if (end <= start) return;
  if (holder.state === 'held') segments.push({ type: 'held', start, end, holder: holder.holder });
  else if (holder.state === 'leaderless') segments.push({ type: 'leaderless', start, end });
  else segments.push({ type: 'unknown', start, end, reason: holder.reason });
}

// Who held the lease over [from, to): holder spans, leaderless spans and spans we did not observe.
// Observation gaps are laid over everything else: a gap in our knowledge never reads as a quiet period.
export function buildTimeline(input: {
  from: number;
  to: number;
  transitions: TimelineTransition[];
  gaps: TimelineGap[];
  currentHolder: string | null;
  holderSince: number | null;
  /** who held the lease when the window opened, from the history before it (lib/store/window-start.ts) */
  startState?: WindowStartState;
}): Timeline {
  const { from, to } = input;
  const transitions = [...input.transitions].filter((t) => t.at >= from && t.at < to).sort((a, b) => a.at - b.at);
  const segments: Segment[] = [];
  const markers: Marker[] = [];
  let holder = input.startState ? holderAtStart(input.startState) : holderBefore(transitions[0], input.currentHolder, input.holderSince, from);
  let cursor = from;
  for (const transition of transitions) {
    if (transition.kind === 'acquired') {
      const leaderlessStart = transition.leaderlessMs && transition.leaderlessMs > 0 ? Math.max(cursor, transition.at - transition.leaderlessMs) : transition.at;
      if (holder.state === 'held' && leaderlessStart < transition.at) {
        pushSegment(segments, holder, cursor, leaderlessStart);
        pushSegment(segments, { state: 'leaderless' }, leaderlessStart, transition.at);
      } else {
        pushSegment(segments, holder, cursor, transition.at);
      }
      cursor = transition.at;
      holder = transition.toHolder ? { state: 'held', holder: transition.toHolder } : { state: 'leaderless' };
      if (transition.cause === 'early_takeover') markers.push({ at: transition.at, type: 'early_takeover', transition });
      if (transition.isRestart) markers.push({ at: transition.at, type: 'restart', transition });
      if (transition.cause === 'unknown') markers.push({ at: transition.at, type: 'unknown_cause', transition });
      if (transition.missedCount > 0) markers.push({ at: transition.at, type: 'missed', transition });
    } else if (transition.kind === 'released' || transition.kind === 'expired' || transition.kind === 'deleted') {
      pushSegment(segments, holder, cursor, transition.at);
      cursor = transition.at;
      holder = { state: 'leaderless' };
    } else if (transition.kind === 'missed') {
      markers.push({ at: transition.at, type: 'missed', transition });
    } else if (transition.kind === 'reset') {
      pushSegment(segments, holder, cursor, transition.at);
      cursor = transition.at;
      holder = transition.toHolder ? { state: 'held', holder: transition.toHolder } : { state: 'leaderless' };
      markers.push({ at: transition.at, type: 'reset', transition });
    } else {
      // resumed, or a kind this build does not know: the record's holder from here on.
      pushSegment(segments, holder, cursor, transition.at);
      cursor = transition.at;
      holder = transition.toHolder ? { state: 'held', holder: transition.toHolder } : holder;
      markers.push({ at: transition.at, type: transition.kind === 'resumed' ? 'resumed' : 'unknown_cause', transition });
    }
  }
  pushSegment(segments, holder, cursor, to);
  return { segments: overlayGaps(segments, input.gaps, from, to), markers };
}

function overlayGaps(segments: Segment[], gaps: TimelineGap[], from: number, to: number): Segment[] {
  const blind = gaps
    .map((gap) => ({ start: Math.max(from, gap.startedAt), end: Math.min(to, gap.endedAt ?? to), reason: gap.reason }))
    .filter((gap) => gap.end > gap.start)
    .sort((a, b) => a.start - b.start);
  if (blind.length === 0) return segments;
  const result: Segment[] = [];
  for (const segment of segments) {
    let start = segment.start;
    for (const gap of blind) {
      if (gap.end <= start || gap.start >= segment.end) continue;
      if (gap.start > start) result.push({ ...segment, start, end: gap.start });
      start = Math.max(start, gap.end);
    }
    if (start < segment.end) result.push({ ...segment, start });
  }
  for (const gap of blind) result.push({ type: 'unknown', start: gap.start, end: gap.end, reason: gap.reason });
  return result.sort((a, b) => a.start - b.start);
}

// A timeline built from where its data starts, seen from a later `from`: a sliding window keeps the
// state its data opened with and the changes since, instead of asking again every second.
export function clipTimeline(timeline: Timeline, from: number): Timeline {
  if (timeline.segments.length === 0 || timeline.segments[0]!.start >= from) return timeline;
  return {
    segments: timeline.segments.filter((segment) => segment.end > from).map((segment) => (segment.start < from ? { ...segment, start: from } : segment)),
    markers: timeline.markers.filter((marker) => marker.at >= from),
  };
}

export type ChurnInput = { start: number; end: number; failovers: number; missed: number; summary: { ledMs: number; leaderlessMs: number; unknownMs: number } | null };

// A lease too busy to draw change by change (lib/store/timeline.ts): its churn buckets, with the
// cluster's blind spots laid over them as they are over any other row.
export function buildChurnTimeline(input: { buckets: readonly ChurnInput[]; gaps: readonly TimelineGap[] }): Timeline {
  const gaps = [...input.gaps].sort((a, b) => a.startedAt - b.startedAt);
  const segments: Segment[] = [];
  for (const bucket of input.buckets) {
    let cursor = bucket.start;
    const pushChurn = (end: number) => {
      if (end > cursor)
        segments.push({ type: 'churn', start: cursor, end, failovers: bucket.failovers, missed: bucket.missed, ledMs: bucket.summary?.ledMs ?? null, leaderlessMs: bucket.summary?.leaderlessMs ?? null });
    };
    for (const gap of gaps) {
      const gapEnd = gap.endedAt ?? Infinity;
      if (gapEnd <= cursor || gap.startedAt >= bucket.end) continue;
      pushChurn(Math.max(cursor, gap.startedAt));
      const end = Math.min(bucket.end, gapEnd);
      const last = segments.at(-1);
      if (last?.type === 'unknown' && last.end === Math.max(cursor, gap.startedAt) && last.reason === gap.reason) last.end = end;
      else segments.push({ type: 'unknown', start: Math.max(cursor, gap.startedAt), end, reason: gap.reason });
      cursor = end;
    }
    pushChurn(bucket.end);
  }
  return { segments, markers: [] };
}
