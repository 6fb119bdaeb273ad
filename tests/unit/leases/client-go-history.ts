import type { AcquireCause } from '@/lib/leases';

// A seeded, client-go-faithful history of one Lease: electors on a few hosts run tryAcquireOrRenew
// (LeaseDuration 15 s, RetryPeriod 2 s, jitter 1.2), with crashes, ReleaseOnCancel, pauses and
// forced takeovers. Every write becomes the raw JSON object a watch would deliver.

export const leaseDurationMs = 15_000;
const retryPeriodMs = 2_000;
const jitterFactor = 1.2;

export type TruthChange = { toHolder: string; cause: AcquireCause; isRestart: boolean; leaseTransitions: number };

// All times are epoch ms; `deliveredAt` is when the watch event reaches the observer (our clock).

export type LeaseWrite = { writtenAt: number; deliveredAt: number; object: Record<string, unknown> };

export type ClientGoHistory = { writes: LeaseWrite[]; changes: TruthChange[]; releases: string[]; aheadHost: string | null; endAt: number };

export type HistoryOptions = { durationMs: number; hasAheadHost: boolean; earlyMarginMs: number };

type Stamp = { ms: number; iso: string };

type LeaseRecord = { holder: string; duration: number; acquire: Stamp; renew: Stamp; transitions: number };

type Elector = {
  id: string;
  host: string;
  offsetMs: number;
  observedRaw: string | null;
  observedTime: number;
  nextTryAt: number;
  pausedUntil: number;
  isLeader: boolean;
};

export function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function simulateClientGoHistory(seed: number, options: HistoryOptions): ClientGoHistory {
  const random = createRandom(seed);
  const between = (min: number, max: number) => Math.round(min + random() * (max - min));
  const epoch = Date.UTC(2024, 4, 1, 10, 0, 0);
  const hostCount = between(2, 4);
  const aheadHost = options.hasAheadHost ? `cp-${between(1, hostCount)}` : null;
  const electors: Elector[] = [];
  const restarts: { host: string; at: number }[] = [];
  const writes: LeaseWrite[] = [];
  const changes: TruthChange[] = [];
  const releases: string[] = [];
  let lease: LeaseRecord | null = null;
  let lastWriteAt = 0;
  let lastDeliveredAt = 0;
  let lastLeader: Elector | null = null;
  let resourceVersion = 1000;
  let identityCount = 0;
  let nextChaosAt = between(20_000, 60_000);

  const stamp = (clock: number): Stamp => ({ ms: epoch + clock, iso: new Date(epoch + clock).toISOString().replace('Z', `${String(between(0, 999)).padStart(3, '0')}Z`) });
  const rawOf = (record: LeaseRecord) => `${record.holder}|${record.duration}|${record.acquire.iso}|${record.renew.iso}|${record.transitions}`;
  const clockOf = (elector: Elector, now: number) => now + elector.offsetMs;

  const start = (host: string, at: number) => {
    identityCount += 1;
    electors.push({
      id: `${host}_${identityCount.toString(16).padStart(8, '0')}-${between(0, 0xffff).toString(16)}`,
      host,
      offsetMs: host === aheadHost ? between(5_000, 20_000) : between(-100, 100),
      observedRaw: null,
      observedTime: 0,
      nextTryAt: at,
      pausedUntil: 0,
      isLeader: false,
    });
  };

  const exit = (elector: Elector, now: number, restartAfterMs: number) => {
    electors.splice(electors.indexOf(elector), 1);
    restarts.push({ host: elector.host, at: now + restartAfterMs });
  };

  const write = (record: LeaseRecord, now: number) => {
    lease = record;
    resourceVersion += between(1, 7);
    lastWriteAt = now;
    lastDeliveredAt = Math.max(lastDeliveredAt, now + between(5, 60));
    writes.push({ writtenAt: epoch + now, deliveredAt: epoch + lastDeliveredAt, object: toLeaseObject(record, String(resourceVersion)) });
  };

  const takeOver = (elector: Elector, now: number, cause: AcquireCause) => {
    const at = stamp(clockOf(elector, now));
    const transitions = lease === null ? 0 : lease.transitions + 1;
    changes.push({ toHolder: elector.id, cause, isRestart: lastLeader !== null && lastLeader.host === elector.host, leaseTransitions: transitions });
    lastLeader = elector;
    return { holder: elector.id, duration: 15, acquire: at, renew: at, transitions };
  };

  const tryAcquireOrRenew = (elector: Elector, now: number) => {
    if (now < elector.pausedUntil) {
      elector.nextTryAt = elector.pausedUntil;
      return;
    }
    const clock = clockOf(elector, now);
    const current: LeaseRecord | null = lease;
    if (current !== null) {
      const raw = rawOf(current);
      if (raw !== elector.observedRaw) {
        elector.observedRaw = raw;
        elector.observedTime = clock;
      }
      if (current.holder !== '' && current.holder !== elector.id && elector.observedTime + leaseDurationMs > clock) {
        if (elector.isLeader) exit(elector, now, between(1_000, 10_000));
        else elector.nextTryAt = now + Math.round(retryPeriodMs * (1 + random() * jitterFactor));
        return;
      }
    }
    const isRenewal = current !== null && current.holder === elector.id;
    const record: LeaseRecord = isRenewal
      ? { ...current, duration: 15, renew: stamp(clock) }
      : takeOver(elector, now, current === null ? 'first' : current.holder === '' ? 'release' : 'expiry');
    write(record, now);
    elector.observedRaw = rawOf(record);
    elector.observedTime = clock;
    elector.isLeader = true;
    elector.nextTryAt = now + retryPeriodMs;
  };

  const injectChaos = (now: number) => {
    const leader = electors.find((elector) => elector.isLeader && lease?.holder === elector.id);
    if (leader === undefined || lease === null) return;
    const action = between(0, 3);
    if (action === 0) exit(leader, now, between(1_000, 45_000));
    if (action === 1 && now >= leader.pausedUntil) {
      const at = stamp(clockOf(leader, now));
      write({ holder: '', duration: 1, acquire: at, renew: at, transitions: lease.transitions }, now);
      releases.push(leader.id);
      exit(leader, now, between(500, 20_000));
    }
    if (action === 2) leader.pausedUntil = now + between(5_000, 35_000);
    const candidate = electors.find((elector) => !elector.isLeader && now >= elector.pausedUntil);
    if (action === 3 && candidate !== undefined && lastWriteAt + leaseDurationMs - now > options.earlyMarginMs) {
      write(takeOver(candidate, now, 'early_takeover'), now);
      candidate.observedRaw = lease === null ? null : rawOf(lease);
      candidate.observedTime = clockOf(candidate, now);
      candidate.isLeader = true;
      candidate.nextTryAt = now + retryPeriodMs;
    }
  };

  for (let host = 1; host <= hostCount; host += 1) start(`cp-${host}`, between(0, 3_000));
  for (;;) {
    const elector = electors.reduce<Elector | undefined>((first, next) => (first === undefined || next.nextTryAt < first.nextTryAt ? next : first), undefined);
    const restart = restarts.reduce<{ host: string; at: number } | undefined>((first, next) => (first === undefined || next.at < first.at ? next : first), undefined);
    const now = Math.min(elector?.nextTryAt ?? Infinity, restart?.at ?? Infinity, nextChaosAt);
    if (now > options.durationMs) break;
    if (restart !== undefined && restart.at === now) {
      restarts.splice(restarts.indexOf(restart), 1);
      start(restart.host, now);
    } else if (now === nextChaosAt) {
      injectChaos(now);
      nextChaosAt = now + between(20_000, 90_000);
    } else if (elector !== undefined) {
      tryAcquireOrRenew(elector, now);
    }
  }
  return { writes, changes, releases, aheadHost, endAt: epoch + options.durationMs };
}

function toLeaseObject(record: LeaseRecord, resourceVersion: string): Record<string, unknown> {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: 'kube-controller-manager',
      namespace: 'kube-system',
      uid: '6b1b0f62-4c1e-4b8e-9a43-5b2f0e3d9c11',
      resourceVersion,
      managedFields: [{ manager: 'kube-controller-manager', operation: 'Update', apiVersion: 'coordination.k8s.io/v1' }],
    },
    spec: {
      holderIdentity: record.holder,
      leaseDurationSeconds: record.duration,
      acquireTime: record.acquire.iso,
      renewTime: record.renew.iso,
      leaseTransitions: record.transitions,
    },
  };
}
