import type { CsvValue, FailoverCsvColumn } from '../audit/csv';
import type { Burst } from '../audit/bursts';
import type { AnnotationRecord } from '../store/annotations';
import type { FailoverAudit, FailoverRecord, LeaseWindowRecord } from '../store/failovers';
import type { TimeRange } from '../store/time-range';
import { toGapDto, toRangeDto, type GapDto, type RangeDto } from './dto';

type Iso = string;

const iso = (date: Date | number): Iso => new Date(date).toISOString();

export type FailoverDto = Omit<FailoverRecord, 'id' | 'at' | 'observedAt'> & { id: string; at: Iso; observedAt: Iso };

export function toFailoverDto(failover: FailoverRecord): FailoverDto {
  return {
    id: failover.id.toString(),
    kind: failover.kind,
    cluster: failover.cluster,
    namespace: failover.namespace,
    name: failover.name,
    at: iso(failover.at),
    observedAt: iso(failover.observedAt),
    cause: failover.cause,
    fromHolder: failover.fromHolder,
    toHolder: failover.toHolder,
    isRestart: failover.isRestart,
    leaderlessMs: failover.leaderlessMs,
    overlapMs: failover.overlapMs,
    missedCount: failover.missedCount,
    leaseTransitions: failover.leaseTransitions,
  };
}

export type BurstDto = Omit<Burst, 'start' | 'end'> & { start: Iso; end: Iso; spanMs: number };

export const toBurstDto = (burst: Burst): BurstDto => ({ ...burst, start: iso(burst.start), end: iso(burst.end), spanMs: burst.end - burst.start });

export type LeaseWindowDto = LeaseWindowRecord;

export type AnnotationDto = Omit<AnnotationRecord, 'id' | 'at' | 'endAt' | 'transitionId' | 'createdAt'> & {
  id: string;
  at: Iso;
  endAt: Iso | null;
  transitionId: string | null;
  createdAt: Iso;
};

export function toAnnotationDto(annotation: AnnotationRecord): AnnotationDto {
  return {
    id: annotation.id.toString(),
    author: annotation.author,
    text: annotation.text,
    at: iso(annotation.at),
    endAt: annotation.endAt ? iso(annotation.endAt) : null,
    cluster: annotation.cluster,
    namespace: annotation.namespace,
    name: annotation.name,
    transitionId: annotation.transitionId?.toString() ?? null,
    createdAt: iso(annotation.createdAt),
  };
}

export type AuditFilters = { cluster: string | null; namespace: string | null; cause: string | null; burstSeconds: number };

export type FailoversResponse = {
  range: RangeDto;
  filters: AuditFilters;
  failovers: FailoverDto[];
  hasMore: boolean;
  bursts: BurstDto[];
  gaps: GapDto[];
  hasMoreGaps: boolean;
  leases: LeaseWindowDto[];
  annotations: AnnotationDto[];
  hasMoreAnnotations: boolean;
};

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

export const toFailoversResponse = (audit: FailoverAudit, range: TimeRange, filters: AuditFilters): FailoversResponse => ({
  range: toRangeDto(range),
  filters,
  failovers: audit.failovers.map(toFailoverDto),
  hasMore: audit.hasMore,
  bursts: audit.bursts.map(toBurstDto),
  gaps: audit.gaps.map(toGapDto),
  hasMoreGaps: audit.hasMoreGaps,
  leases: audit.leases.map((lease) => ({ ...lease, ledShare: round(lease.ledShare, 4) })),
  annotations: audit.annotations.map(toAnnotationDto),
  hasMoreAnnotations: audit.hasMoreAnnotations,
});

export type AnnotationsResponse = { annotations: AnnotationDto[]; hasMore: boolean; range: RangeDto };

export const toAnnotationsResponse = ({ annotations, hasMore }: { annotations: AnnotationRecord[]; hasMore: boolean }, range: TimeRange): AnnotationsResponse => ({
  annotations: annotations.map(toAnnotationDto),
  hasMore,
  range: toRangeDto(range),
});

export type AnnotationResponse = { annotation: AnnotationDto };

// One row per failover, in the documented column order (lib/audit/csv.ts, README "Failover audit").
export function toFailoverCsvRecord(failover: FailoverRecord, burstStart: number | null): Record<FailoverCsvColumn, CsvValue> {
  const dto = toFailoverDto(failover);
  return {
    id: dto.id,
    at: dto.at,
    observed_at: dto.observedAt,
    cluster: dto.cluster,
    namespace: dto.namespace,
    lease: dto.name,
    kind: dto.kind,
    cause: dto.cause,
    from_holder: dto.fromHolder,
    to_holder: dto.toHolder,
    is_restart: dto.isRestart,
    leaderless_ms: dto.leaderlessMs,
    overlap_ms: dto.overlapMs,
    missed_count: dto.missedCount,
    lease_transitions: dto.leaseTransitions,
    burst_start: burstStart === null ? null : iso(burstStart),
  };
}
