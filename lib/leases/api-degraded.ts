// Renewals of many leases of one cluster that stop or lag together point at the API server or etcd, not
// at the elected processes. The detector keeps, per election lease, when it last renewed and its usual
// interval; a cluster is degraded while enough of its renewing leases are overdue at once, or while its
// watch fails. Decisions only: the controller feeds it and stores the bands it opens and closes.
// Leasetrail's own blindness is never the API server's: while the Lease source is not streaming (listing,
// relisting after a 410, refused with Leasetrail's own 401/403) nothing is evaluated, and when it streams
// again every lease counts from then on, so what the relist hid never looks overdue.

export type DegradedReason = 'renewals_stalled' | 'watch_failed';

export type DegradedOptions = {
  // A lease is overdue after this many usual intervals without a renewal (and never before minOverdueMs).
  overdueFactor: number;
  minOverdueMs: number;
  // Degraded when at least minLeases and at least this share of the active leases are overdue together.
  minLeases: number;
  minShare: number;
  // A lease that has not renewed for this long is no longer counted as active (its holder is gone).
  activeWithinMs: number;
};

// Three leases at least: two leaders crashing at once (a node with two control-plane leaders) is no API server trouble.
export const defaultDegradedOptions: DegradedOptions = { overdueFactor: 4, minOverdueMs: 1_000, minLeases: 3, minShare: 0.5, activeWithinMs: 120_000 };

// `streaming`: renewals arrive as they happen. `blind`: no renewals can arrive (connecting, listing, relisting,
// refused). `erroring`: the API server answers list or watch with transient errors (5xx, timeouts, resets).
export type SourceStatus = 'streaming' | 'blind' | 'erroring';

export function getSourceStatus(state: 'connecting' | 'connected' | 'reconnecting' | 'failing'): SourceStatus {
  if (state === 'connected') return 'streaming';
  // `failing` is permanent: Leasetrail's own credentials or TLS, not the API server's health.
  return state === 'reconnecting' ? 'erroring' : 'blind';
}

// `recentMs`: the last renew intervals of the lease (at most recentIntervals, a ring whose oldest entry is at
// `oldest` once full: only which intervals, not their order, matters to the median); `skipNext`: the next
// interval is the one right after a change of holder and says nothing of the renew period (client-go's renew loop
// polls immediately, so a new holder renews milliseconds after it acquired). `typicalMs`: getTypicalIntervalMs of
// recentMs, kept with it (an evaluation reads every lease of the cluster twice a second; sorting each lease's
// intervals there cost more than feeding them). The controller's own state is updated in place (feedOwnedDegraded):
// a new record, array and sorted copy per renewal made the detector a quarter of a worker's CPU at ingest.
type LeaseRenewals = { lastRenewAt: number; recentMs: number[]; oldest: number; typicalMs: number | null; skipNext: boolean };

// The usual interval is the median of the recent ones, once there are enough of them: one short interval (a
// renewal right after an acquire, a retry after a conflict) or one long one (a stall) never becomes "usual".
// A running average did: one near-zero interval made a lease "overdue" a second after each renewal for
// minutes, and three such leases opened bands every RetryPeriod with nothing wrong.
const recentIntervals = 8;
const minIntervals = 2;

function addRecent(lease: LeaseRenewals, interval: number): void {
  if (lease.recentMs.length < recentIntervals) lease.recentMs.push(interval);
  else {
    lease.recentMs[lease.oldest] = interval;
    lease.oldest = (lease.oldest + 1) % recentIntervals;
  }
}

// Sorted in place by insertion (at most recentIntervals values): no allocation per renewal.
const scratch = new Float64Array(recentIntervals);

function medianOf(values: readonly number[]): number {
  const count = Math.min(values.length, recentIntervals);
  for (let i = 0; i < count; i += 1) {
    const value = values[i]!;
    let j = i - 1;
    for (; j >= 0 && scratch[j]! > value; j -= 1) scratch[j + 1] = scratch[j]!;
    scratch[j + 1] = value;
  }
  const middle = count >> 1;
  return count % 2 === 1 ? scratch[middle]! : (scratch[middle - 1]! + scratch[middle]!) / 2;
}

export function getTypicalIntervalMs(recentMs: readonly number[]): number | null {
  if (recentMs.length < minIntervals) return null;
  return medianOf(recentMs.length > recentIntervals ? recentMs.slice(-recentIntervals) : recentMs);
}

export type OpenBand = { startedAt: number; reason: DegradedReason; stalledLeases: number; totalLeases: number };

// `closedAt`: when the last band ended; the next one never starts before it, so bands never overlap.
// `sourceSince`: when the source entered its current status.
export type DegradedState = { leases: ReadonlyMap<string, LeaseRenewals>; open: OpenBand | null; source: SourceStatus; sourceSince: number; closedAt: number | null };

export type DegradedInput =
  | { type: 'renewal'; key: string; observedAt: number; intervalMs: number | null }
  | { type: 'holder-changed'; key: string; observedAt: number }
  | { type: 'watch'; status: SourceStatus; at: number };

export type BandChange = { type: 'opened'; band: OpenBand } | { type: 'closed'; band: OpenBand; endedAt: number } | { type: 'updated'; band: OpenBand };

export const emptyDegradedState: DegradedState = { leases: new Map(), open: null, source: 'streaming', sourceSince: 0, closedAt: null };

export function feedDegraded(state: DegradedState, inputs: readonly DegradedInput[]): DegradedState {
  const leases = new Map<string, LeaseRenewals>();
  for (const [key, lease] of state.leases) leases.set(key, { ...lease, recentMs: [...lease.recentMs] });
  return feedOwnedDegraded({ ...state, leases }, inputs);
}

// feedDegraded for the one holder of `state` (the controller's ContextWatchers): its map of leases and their
// records are updated in place rather than copied. Copying it (10,000 election leases per cluster in the ingest
// benchmark) before each evaluation and every 4,096 renewals was the larger part of feeding.
export function feedOwnedDegraded(state: DegradedState, inputs: readonly DegradedInput[]): DegradedState {
  const leases = state.leases as Map<string, LeaseRenewals>;
  let { source, sourceSince } = state;
  for (const input of inputs) {
    if (input.type === 'watch') {
      if (input.status === source) continue;
      if (input.status === 'streaming') for (const lease of leases.values()) lease.lastRenewAt = input.at;
      source = input.status;
      sourceSince = input.at;
      continue;
    }
    if (source !== 'streaming') continue;
    let lease = leases.get(input.key);
    if (input.type === 'holder-changed') {
      if (lease) {
        lease.lastRenewAt = input.observedAt;
        lease.skipNext = true;
      } else leases.set(input.key, { lastRenewAt: input.observedAt, recentMs: [], oldest: 0, typicalMs: null, skipNext: true });
      continue;
    }
    const interval = input.intervalMs;
    const isCounted = interval !== null && interval > 0 && !(lease?.skipNext ?? false);
    if (!lease) {
      lease = { lastRenewAt: input.observedAt, recentMs: [], oldest: 0, typicalMs: null, skipNext: false };
      leases.set(input.key, lease);
    } else lease.lastRenewAt = Math.max(input.observedAt, lease.lastRenewAt);
    lease.skipNext = false;
    if (!isCounted) continue;
    addRecent(lease, interval);
    lease.typicalMs = getTypicalIntervalMs(lease.recentMs);
  }
  return { ...state, leases, source, sourceSince };
}

export function evaluateDegraded(state: DegradedState, now: number, options: DegradedOptions = defaultDegradedOptions): { state: DegradedState; changes: BandChange[] } {
  // Blind: nothing is known from here on, so a band open until then ends where the sight ended.
  if (state.source === 'blind') {
    if (state.open === null) return { state, changes: [] };
    const endedAt = Math.max(state.sourceSince, state.open.startedAt);
    return { state: { ...state, open: null, closedAt: endedAt }, changes: [{ type: 'closed', band: state.open, endedAt }] };
  }
  let total = 0;
  const overdueSince: number[] = [];
  for (const lease of state.leases.values()) {
    const typicalMs = lease.typicalMs;
    if (now - lease.lastRenewAt > options.activeWithinMs || typicalMs === null) continue;
    total += 1;
    // While the watch errors, renewals cannot arrive: silence then is not the leases'.
    if (state.source === 'streaming' && now - lease.lastRenewAt > Math.max(options.minOverdueMs, typicalMs * options.overdueFactor)) overdueSince.push(lease.lastRenewAt);
  }
  const isStalled = overdueSince.length >= options.minLeases && overdueSince.length >= total * options.minShare;
  const reason: DegradedReason | null = state.source === 'erroring' ? 'watch_failed' : isStalled ? 'renewals_stalled' : null;
  const open = state.open;
  if (reason === null) {
    if (open === null) return { state, changes: [] };
    return { state: { ...state, open: null, closedAt: now }, changes: [{ type: 'closed', band: open, endedAt: now }] };
  }
  const startedAt = Math.max(reason === 'renewals_stalled' ? Math.min(...overdueSince) : state.sourceSince, state.closedAt ?? -Infinity);
  const band: OpenBand = { startedAt: open?.startedAt ?? startedAt, reason: open?.reason ?? reason, stalledLeases: Math.max(open?.stalledLeases ?? 0, overdueSince.length), totalLeases: Math.max(open?.totalLeases ?? 0, total) };
  if (open === null) return { state: { ...state, open: band }, changes: [{ type: 'opened', band }] };
  if (band.stalledLeases === open.stalledLeases && band.totalLeases === open.totalLeases) return { state, changes: [] };
  return { state: { ...state, open: band }, changes: [{ type: 'updated', band }] };
}
