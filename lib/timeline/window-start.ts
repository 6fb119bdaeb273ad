// Who held a lease when a window opened, from the history before the window: a quiet window inside a
// long tenure is that tenure, not "not observed" (issue 16).
export type WindowStartState =
  | { state: 'held'; holder: string; since: number }
  | { state: 'leaderless'; since: number }
  | { state: 'unknown'; reason: string };

/** The last transition before the window opened; `kind` is a string so a kind added later reads gracefully. */
export type TransitionBefore = { kind: string; at: number; toHolder: string | null };

export const beforeFirstSightReason = 'before Leasetrail saw this lease';

const setsHolder = new Set(['acquired', 'resumed', 'missed', 'reset']);
const endsTenure = new Set(['released', 'expired', 'deleted']);

export function deriveWindowStartState(input: { from: number; firstSeenAt: number; lastBefore: TransitionBefore | null }): WindowStartState {
  const { lastBefore } = input;
  if (!lastBefore) {
    // A lease first seen with a holder records an acquisition; without one it was seen unheld.
    return input.firstSeenAt <= input.from ? { state: 'leaderless', since: input.firstSeenAt } : { state: 'unknown', reason: beforeFirstSightReason };
  }
  if (endsTenure.has(lastBefore.kind)) return { state: 'leaderless', since: lastBefore.at };
  if (lastBefore.toHolder !== null) return { state: 'held', holder: lastBefore.toHolder, since: lastBefore.at };
  if (setsHolder.has(lastBefore.kind)) return { state: 'leaderless', since: lastBefore.at };
  return { state: 'unknown', reason: `after a change Leasetrail cannot read (${lastBefore.kind})` };
}
