import type { ChurnBucket, FleetTimeline, FleetTimelineBand, FleetTimelineLease } from '../store/timeline';
import type { FleetFailover, FleetLease, FleetSummary } from '../store/fleet';
import type { ClusterSummary } from '../store/clusters';
import type { GapRecord } from '../store/gaps';
import type { LeaseRecord } from '../store/leases';
import type { RenewalPoint, RenewalSeries } from '../store/renewals';
import type { TimeRange } from '../store/time-range';
import type { TransitionRecord } from '../store/transitions';
import type { WindowStartState } from '../timeline/window-start';

// The one mapping from stored rows to JSON: dates as ISO 8601 UTC, BigInt ids as strings, enums as stored.

type Iso = string;

const iso = (date: Date): Iso => date.toISOString();
const isoOrNull = (date: Date | null): Iso | null => (date ? date.toISOString() : null);

export type RangeDto = { from: Iso; to: Iso };

export const toRangeDto = (range: TimeRange): RangeDto => ({ from: iso(range.from), to: iso(range.to) });

export type ClusterDto = Omit<ClusterSummary, 'nextRetryAt' | 'lastEventAt' | 'lastSeenAt' | 'connectedAt' | 'ownerSince'> & {
  ownerSince: Iso | null;
  nextRetryAt: Iso | null;
  lastEventAt: Iso | null;
  lastSeenAt: Iso | null;
  connectedAt: Iso | null;
};

export function toClusterDto(cluster: ClusterSummary): ClusterDto {
  return {
    ...cluster,
    nextRetryAt: isoOrNull(cluster.nextRetryAt),
    lastEventAt: isoOrNull(cluster.lastEventAt),
    lastSeenAt: isoOrNull(cluster.lastSeenAt),
    connectedAt: isoOrNull(cluster.connectedAt),
    ownerSince: isoOrNull(cluster.ownerSince),
  };
}

export type LeaseDto = Omit<LeaseRecord, 'id' | 'acquireTime' | 'renewTime' | 'observedAt' | 'holderSince' | 'deletedAt'> & {
  acquireTime: Iso | null;
  renewTime: Iso | null;
  observedAt: Iso;
  holderSince: Iso | null;
  deletedAt: Iso | null;
};

export function toLeaseDto({ id: _id, cluster, ...lease }: LeaseRecord): LeaseDto {
  return {
    cluster,
    ...lease,
    acquireTime: isoOrNull(lease.acquireTime),
    renewTime: isoOrNull(lease.renewTime),
    observedAt: iso(lease.observedAt),
    holderSince: isoOrNull(lease.holderSince),
    deletedAt: isoOrNull(lease.deletedAt),
  };
}

export type TransitionDto = Omit<TransitionRecord, 'id' | 'at' | 'observedAt'> & { id: string; at: Iso; observedAt: Iso };

export function toTransitionDto(transition: TransitionRecord): TransitionDto {
  return {
    id: transition.id.toString(),
    kind: transition.kind,
    cause: transition.cause,
    at: iso(transition.at),
    observedAt: iso(transition.observedAt),
    fromHolder: transition.fromHolder,
    toHolder: transition.toHolder,
    isRestart: transition.isRestart,
    leaderlessMs: transition.leaderlessMs,
    overlapMs: transition.overlapMs,
    leaseTransitions: transition.leaseTransitions,
    missedCount: transition.missedCount,
  };
}

export type RenewalPointDto = Omit<RenewalPoint, 'renewTime' | 'observedAt'> & { renewTime: Iso; observedAt: Iso | null };

export function toRenewalPointDto(point: RenewalPoint): RenewalPointDto {
  return { renewTime: iso(point.renewTime), observedAt: isoOrNull(point.observedAt), intervalMs: point.intervalMs, lagMs: point.lagMs };
}

export type GapDto = Omit<GapRecord, 'id' | 'startedAt' | 'endedAt'> & { id: string; startedAt: Iso; endedAt: Iso | null };

export function toGapDto(gap: GapRecord): GapDto {
  return {
    id: gap.id.toString(),
    cluster: gap.cluster,
    startedAt: iso(gap.startedAt),
    endedAt: isoOrNull(gap.endedAt),
    reason: gap.reason,
    detail: gap.detail,
  };
}

export type ClustersResponse = { clusters: ClusterDto[] };
export type LeasesResponse = { leases: LeaseDto[]; hasMore: boolean };
export type LeaseResponse = { lease: LeaseDto };
export type TransitionsResponse = { transitions: TransitionDto[]; hasMore: boolean; stateAtStart: WindowStartStateDto; range: RangeDto };
// rawFrom: the range starts before retention dropped raw samples; up to rawFrom the answer is rollups only.
export type RenewalsResponse = Pick<RenewalSeries, 'stats' | 'bucketMs'> & { samples: RenewalPointDto[]; downsampled: boolean; rawFrom: Iso | null; range: RangeDto };
export type GapsResponse = { gaps: GapDto[]; hasMore: boolean; range: RangeDto };

export const toClustersResponse = (clusters: ClusterSummary[]): ClustersResponse => ({ clusters: clusters.map(toClusterDto) });

export const toLeasesResponse = ({ leases, hasMore }: { leases: LeaseRecord[]; hasMore: boolean }): LeasesResponse => ({
  leases: leases.map(toLeaseDto),
  hasMore,
});

export const toLeaseResponse = (lease: LeaseRecord): LeaseResponse => ({ lease: toLeaseDto(lease) });

export const toTransitionsResponse = ({ transitions, hasMore, stateAtStart }: { transitions: TransitionRecord[]; hasMore: boolean; stateAtStart: WindowStartState }, range: TimeRange): TransitionsResponse => ({
  transitions: transitions.map(toTransitionDto),
  hasMore,
  stateAtStart: toWindowStartStateDto(stateAtStart),
  range: toRangeDto(range),
});

export const toRenewalsResponse = (series: RenewalSeries, range: TimeRange): RenewalsResponse => ({
  samples: series.samples.map(toRenewalPointDto),
  stats: series.stats,
  downsampled: series.isDownsampled,
  bucketMs: series.bucketMs,
  rawFrom: isoOrNull(series.rawFrom),
  range: toRangeDto(range),
});

export const toGapsResponse = ({ gaps, hasMore }: { gaps: GapRecord[]; hasMore: boolean }, range: TimeRange): GapsResponse => ({
  gaps: gaps.map(toGapDto),
  hasMore,
  range: toRangeDto(range),
});

export type FleetLeaseDto = Omit<FleetLease, 'holderSince' | 'changedAt'> & { holderSince: Iso | null; changedAt: Iso };
export type FleetFailoverDto = Omit<FleetFailover, 'at'> & { at: Iso };
export type FleetResponse = { clusters: ClusterDto[]; leases: FleetLeaseDto[]; failovers: FleetFailoverDto[]; generatedAt: Iso };

export const toFleetResponse = (summary: FleetSummary): FleetResponse => ({
  clusters: summary.clusters.map(toClusterDto),
  leases: summary.leases.map((lease) => ({ ...lease, holderSince: isoOrNull(lease.holderSince), changedAt: iso(lease.changedAt) })),
  failovers: summary.failovers.map((failover) => ({ ...failover, at: iso(failover.at) })),
  generatedAt: iso(summary.generatedAt),
});

export type ChurnBucketDto = Omit<ChurnBucket, 'start' | 'end'> & { start: Iso; end: Iso };

export type FleetTimelineResponse = {
  leases: Array<Omit<FleetTimelineLease, 'holderSince' | 'stateAtStart' | 'churn'> & { holderSince: Iso | null; stateAtStart: WindowStartStateDto; churn: ChurnBucketDto[] | null }>;
  transitions: Array<TransitionDto & { cluster: string; namespace: string; name: string }>;
  hasMoreLeases: boolean;
  // Epoch milliseconds, as in the failover context (LeaseContextDto.bands): newest first, capped.
  bands: FleetTimelineBand[];
  hasMoreBands: boolean;
  range: RangeDto;
};

export const toFleetTimelineLeaseDto = (lease: FleetTimelineLease): FleetTimelineResponse['leases'][number] => ({
  ...lease,
  holderSince: isoOrNull(lease.holderSince),
  stateAtStart: toWindowStartStateDto(lease.stateAtStart),
  churn: lease.churn?.map((bucket) => ({ ...bucket, start: iso(new Date(bucket.start)), end: iso(new Date(bucket.end)) })) ?? null,
});

export const toFleetTimelineTransitionDto = (transition: FleetTimeline['transitions'][number]): FleetTimelineResponse['transitions'][number] => ({
  ...toTransitionDto(transition),
  cluster: transition.cluster,
  namespace: transition.namespace,
  name: transition.name,
});

export const toFleetTimelineResponse = (timeline: FleetTimeline, range: TimeRange): FleetTimelineResponse => ({
  leases: timeline.leases.map(toFleetTimelineLeaseDto),
  transitions: timeline.transitions.map(toFleetTimelineTransitionDto),
  hasMoreLeases: timeline.hasMoreLeases,
  bands: timeline.bands,
  hasMoreBands: timeline.hasMoreBands,
  range: toRangeDto(range),
});

// Who held the lease when the range opened, with `since` as ISO 8601 like every other time of the API.
export type WindowStartStateDto =
  | { state: 'held'; holder: string; since: Iso }
  | { state: 'leaderless'; since: Iso }
  | { state: 'unknown'; reason: string };

export function toWindowStartStateDto(state: WindowStartState): WindowStartStateDto {
  return state.state === 'unknown' ? state : { ...state, since: iso(new Date(state.since)) };
}

export function fromWindowStartStateDto(state: WindowStartStateDto): WindowStartState {
  return state.state === 'unknown' ? state : { ...state, since: Date.parse(state.since) };
}
