import {
  type DeriveOptions,
  type LeaseEvent,
  type LeaseKind,
  type LeaseState,
  type MicroTime,
  type Observation,
  type ObservationSource,
  type RenewalEvent,
  type TransitionEvent,
  defaultDeriveOptions,
  deriveEvents,
} from '@/lib/leases';

// Every time in these tests is an offset in ms from T0, so the numbers read as "seconds into the story".
export const T0 = Date.UTC(2024, 4, 1, 10, 0, 0);

export const leaseKey = { cluster: 'prod', namespace: 'kube-system', name: 'kube-scheduler' };

export function micro(offsetMs: number, micros = 0): MicroTime {
  const iso = new Date(T0 + offsetMs).toISOString().replace('Z', `${String(micros).padStart(3, '0')}Z`);
  return { iso, ms: T0 + offsetMs };
}

export type ObservationInput = {
  holder?: string | null;
  acquire?: number | null;
  renew?: number | null;
  transitions?: number | null;
  duration?: number | null;
  at?: number;
  rv?: string;
  uid?: string | null;
  kind?: LeaseKind;
  source?: ObservationSource;
  labels?: Record<string, string>;
};

// Without an explicit rv, the rv follows the facts: identical facts are a re-delivery of one version.
export function observe(input: ObservationInput = {}): Observation {
  const holder = input.holder === undefined ? 'host-a_1' : input.holder;
  const acquire = input.acquire === undefined ? 0 : input.acquire;
  const renew = input.renew === undefined ? acquire : input.renew;
  const transitions = input.transitions === undefined ? 0 : input.transitions;
  const duration = input.duration === undefined ? 15 : input.duration;
  const at = input.at ?? (renew ?? 0) + 50;
  return {
    key: leaseKey,
    uid: input.uid === undefined ? 'uid-1' : input.uid,
    resourceVersion: input.rv ?? `${holder}/${transitions}/${acquire}/${renew}/${duration}`,
    kind: input.kind ?? 'election',
    holderIdentity: holder,
    leaseDurationSeconds: duration,
    acquireTime: acquire === null ? null : micro(acquire),
    renewTime: renew === null ? null : micro(renew),
    leaseTransitions: transitions,
    strategy: null,
    preferredHolder: null,
    labels: input.labels ?? {},
    observedAt: T0 + at,
    source: input.source ?? 'watch',
  };
}

// A client-go leader renewing every RetryPeriod: one observation per renewal, seen 50 ms later.
export function renewals(holder: string, acquire: number, until: number, transitions: number, every = 2000): Observation[] {
  const list: Observation[] = [];
  for (let renew = acquire; renew <= until; renew += every) list.push(observe({ holder, acquire, renew, transitions }));
  return list;
}

// client-go ReleaseOnCancel: holder "", duration 1 s, acquireTime = renewTime = now, transitions unchanged.
export function release(at: number, transitions: number): Observation {
  return observe({ holder: null, acquire: at, renew: at, transitions, duration: 1 });
}

export function feed(observations: Observation[], start?: LeaseState, options: DeriveOptions = defaultDeriveOptions): { state: LeaseState; events: LeaseEvent[] } {
  let state = start;
  const events: LeaseEvent[] = [];
  for (const observation of observations) {
    const result = deriveEvents(state, observation, options);
    state = result.state;
    events.push(...result.events);
  }
  if (state === undefined) throw new Error('feed needs at least one observation or a start state');
  return { state, events };
}

export function transitionsOf(events: LeaseEvent[], kind?: TransitionEvent['kind']): TransitionEvent[] {
  return events.filter((event): event is TransitionEvent => event.type === 'transition' && (kind === undefined || event.kind === kind));
}

export function renewalsOf(events: LeaseEvent[]): RenewalEvent[] {
  return events.filter((event): event is RenewalEvent => event.type === 'renewal');
}

export function only<T>(items: T[]): T {
  if (items.length !== 1) throw new Error(`expected exactly one item, got ${items.length}`);
  return items[0] as T;
}

export const withHeartbeats: DeriveOptions = { ...defaultDeriveOptions, includeNodeHeartbeats: true };
