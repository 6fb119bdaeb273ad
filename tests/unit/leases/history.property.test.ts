import { describe, expect, it } from 'vitest';
import {
  type LeaseEvent,
  type LeaseState,
  type Observation,
  type ObservationSource,
  type TransitionEvent,
  confirmExpiry,
  defaultDeriveOptions,
  deriveEvents,
  markBlind,
  getExpiryDueAt,
  parseLease,
} from '@/lib/leases';
import { type ClientGoHistory, type LeaseWrite, createRandom, leaseDurationMs, simulateClientGoHistory } from './client-go-history';

const seeds = Array.from({ length: 60 }, (_, index) => 1000 + index);
const historyOptions = { durationMs: 20 * 60_000, hasAheadHost: false, earlyMarginMs: defaultDeriveOptions.earlyTakeoverToleranceMs + 2_000 };

type Step = { type: 'observe'; observation: Observation } | { type: 'blind' };

function toObservation(write: LeaseWrite, observedAt: number, source: ObservationSource): Observation {
  const result = parseLease(write.object, { cluster: 'sim', observedAt, source });
  if (!result.ok) throw new Error(`simulator wrote a malformed lease: ${result.reason}`);
  return result.observation;
}

function watchEverything(history: ClientGoHistory): Step[] {
  return history.writes.map((write) => ({ type: 'observe', observation: toObservation(write, write.deliveredAt, 'watch') }));
}

// Drops the watch for random windows; each window ends with a relist showing the latest write.
function watchWithBlindSpots(history: ClientGoHistory, seed: number): Step[] {
  const random = createRandom(seed * 7919);
  const steps: Step[] = [];
  let blindUntil = -Infinity;
  let latest: LeaseWrite | undefined;
  for (const write of history.writes) {
    const at = write.deliveredAt;
    if (at >= blindUntil && latest !== undefined && blindUntil !== -Infinity) {
      steps.push({ type: 'observe', observation: toObservation(latest, blindUntil, 'list') });
      blindUntil = -Infinity;
    }
    if (blindUntil === -Infinity && steps.length > 0 && random() < 0.01) {
      steps.push({ type: 'blind' });
      blindUntil = at + Math.round(5_000 + random() * 120_000);
    }
    latest = write;
    if (blindUntil === -Infinity) steps.push({ type: 'observe', observation: toObservation(write, at, 'watch') });
  }
  return steps;
}

// The controller loop: fire the expiry timer whenever it falls due before the next observation.
function runController(steps: Step[], endAt: number): LeaseEvent[] {
  let state: LeaseState | undefined;
  const events: LeaseEvent[] = [];
  const fireTimersUntil = (until: number) => {
    while (state !== undefined) {
      const dueAt = getExpiryDueAt(state);
      if (dueAt === null || dueAt > until) return;
      const result = confirmExpiry(state, dueAt);
      state = result.state;
      events.push(...result.events);
    }
  };
  for (const step of steps) {
    if (step.type === 'blind') {
      if (state) state = markBlind(state);
      continue;
    }
    fireTimersUntil(step.observation.observedAt);
    const result = deriveEvents(state, step.observation);
    state = result.state;
    events.push(...result.events);
  }
  fireTimersUntil(endAt);
  return events;
}

function doubled(steps: Step[]): Step[] {
  return steps.flatMap((step) => [step, step]);
}

function transitionsOf(events: LeaseEvent[], kind: TransitionEvent['kind']): TransitionEvent[] {
  return events.filter((event): event is TransitionEvent => event.type === 'transition' && event.kind === kind);
}

function countExpectedExpiries(steps: Step[], endAt: number): number {
  const observations = steps.flatMap((step) => (step.type === 'observe' ? [step.observation] : []));
  return observations.filter((observation, index) => {
    const nextAt = observations[index + 1]?.observedAt ?? endAt;
    const dueAt = observation.observedAt + (observation.leaseDurationSeconds ?? 0) * 1000 + defaultDeriveOptions.skewMarginMs;
    return observation.holderIdentity !== null && dueAt <= nextAt;
  }).length;
}

describe.each([
  ['synchronised clocks', false],
  ['one host running seconds ahead', true],
])('client-go histories with %s', (_, hasAheadHost) => {
  const histories = seeds.map((seed) => ({ seed, history: simulateClientGoHistory(seed, { ...historyOptions, hasAheadHost }) }));

  it('cover every cause the derivation must tell apart', () => {
    const causes = new Set(histories.flatMap(({ history }) => history.changes.map((change) => change.cause)));
    expect([...causes].sort()).toEqual(['early_takeover', 'expiry', 'first', 'release']);
    expect(histories.some(({ history }) => history.changes.some((change) => change.isRestart))).toBe(true);
  });

  it.each(seeds)('derive exactly the generated holder changes, causes and restarts (seed %i)', (seed) => {
    const { history } = histories.find((entry) => entry.seed === seed)!;
    const events = runController(watchEverything(history), history.endAt);
    const acquired = transitionsOf(events, 'acquired').map(({ toHolder, cause, isRestart, leaseTransitions }) => ({ toHolder, cause, isRestart, leaseTransitions }));
    expect(acquired).toEqual(history.changes);
    expect(transitionsOf(events, 'released').map((event) => event.fromHolder)).toEqual(history.releases);
    expect(events.filter((event) => event.type === 'missed' || (event.type === 'transition' && event.missedCount > 0))).toEqual([]);
  });

  it('derive an expiry exactly when a holder went silent for a lease duration plus the margin', () => {
    for (const { history } of histories) {
      const steps = watchEverything(history);
      expect(transitionsOf(runController(steps, history.endAt), 'expired')).toHaveLength(countExpectedExpiries(steps, history.endAt));
    }
  });

  it('never report a negative gap, and report overlap only for takeovers', () => {
    for (const { history } of histories) {
      for (const event of transitionsOf(runController(watchEverything(history), history.endAt), 'acquired')) {
        expect(event.leaderlessMs ?? 0).toBeGreaterThanOrEqual(0);
        if (event.overlapMs !== null) expect(['expiry', 'early_takeover']).toContain(event.cause);
        if (event.cause === 'early_takeover') expect(event.overlapMs).toBeGreaterThan(defaultDeriveOptions.earlyTakeoverToleranceMs);
      }
    }
  });

  it('suspect clock skew of exactly the hosts whose clock runs ahead', () => {
    for (const { history } of histories) {
      const suspects = new Set(runController(watchEverything(history), history.endAt).flatMap((event) => (event.type === 'skew' ? [event.holder.split('_')[0]] : [])));
      expect([...suspects]).toEqual(history.aheadHost !== null && suspects.size > 0 ? [history.aheadHost] : []);
    }
    if (hasAheadHost) expect(histories.some(({ history }) => history.changes.some((change) => change.toHolder.startsWith(`${history.aheadHost}_`)))).toBe(true);
  });

  it('give every transition of a history its own eventKey', () => {
    for (const { history } of histories) {
      const keys = runController(watchEverything(history), history.endAt).flatMap((event) => (event.type === 'transition' ? [event.eventKey] : []));
      expect(new Set(keys).size).toBe(keys.length);
    }
  });

  it('derive nothing more when every observation is delivered twice', () => {
    for (const { history } of histories) {
      const steps = watchEverything(history);
      expect(runController(doubled(steps), history.endAt)).toEqual(runController(steps, history.endAt));
    }
  });

  it('report resumed only for a holder declared expired that renewed again', () => {
    for (const { history } of histories) {
      const events = runController(watchEverything(history), history.endAt);
      events.forEach((event, index) => {
        if (event.type !== 'resumed') return;
        const lastTransition = events.slice(0, index).findLast((earlier) => earlier.type === 'transition');
        expect(lastTransition).toMatchObject({ kind: 'expired', fromHolder: event.holder });
      });
    }
  });

  describe('with blind spots', () => {
    const blindRuns = histories.map(({ seed, history }) => {
      const steps = watchWithBlindSpots(history, seed);
      return { history, steps, events: runController(steps, history.endAt) };
    });

    it('actually go blind in most histories', () => {
      expect(blindRuns.filter(({ steps }) => steps.some((step) => step.type === 'blind')).length).toBeGreaterThan(seeds.length / 2);
    });

    it('account for every leaseTransitions increment as a seen acquisition or a missed one', () => {
      for (const { steps, events } of blindRuns) {
        const observations = steps.flatMap((step) => (step.type === 'observe' ? [step.observation] : []));
        const delta = (observations.at(-1)?.leaseTransitions ?? 0) - (observations[0]?.leaseTransitions ?? 0);
        const seen = transitionsOf(events, 'acquired').filter((event) => event.cause !== 'first').length;
        const missed = events.reduce((sum, event) => sum + (event.type === 'missed' ? event.count : event.type === 'transition' ? event.missedCount : 0), 0);
        expect(seen + missed).toBe(delta);
      }
    });

    it('never invent a holder: derived acquisitions are a subsequence of the generated ones', () => {
      for (const { history, events } of blindRuns) {
        const truth = history.changes.map((change) => change.toHolder);
        let position = 0;
        for (const event of transitionsOf(events, 'acquired')) {
          position = truth.indexOf(event.toHolder ?? '', position) + 1;
          expect(position).toBeGreaterThan(0);
        }
      }
    });

    it('give a known cause only when it matches the generated one', () => {
      for (const { history, events } of blindRuns) {
        for (const event of transitionsOf(events, 'acquired')) {
          const truth = history.changes.find((change) => change.toHolder === event.toHolder && change.leaseTransitions === event.leaseTransitions);
          if (event.cause !== 'unknown') expect(event.cause).toBe(truth?.cause);
        }
      }
    });

    it('derive nothing more when every observation is delivered twice', () => {
      for (const { history, steps, events } of blindRuns) expect(runController(doubled(steps), history.endAt)).toEqual(events);
    });
  });
});

describe('the simulator', () => {
  it('is deterministic for a seed', () => {
    expect(simulateClientGoHistory(7, historyOptions)).toEqual(simulateClientGoHistory(7, historyOptions));
  });

  it('keeps the client-go lease duration', () => {
    expect(simulateClientGoHistory(7, historyOptions).writes.some((write) => (write.object.spec as { leaseDurationSeconds: number }).leaseDurationSeconds * 1000 === leaseDurationMs)).toBe(true);
  });
});
