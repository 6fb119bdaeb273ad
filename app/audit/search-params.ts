import { createSerializer, parseAsInteger, parseAsString, parseAsStringLiteral } from 'nuqs';
import { DEFAULT_BURST_GAP_MS } from '@/lib/audit/bursts';
import { failoverCauses } from '@/lib/audit/causes';
import { failoverSortKeys } from '@/lib/audit/sort-failovers';
import { timeZoneParser } from '@/lib/ui/time-zone-param';
import { DEFAULT_MARGIN_MINUTES } from '@/lib/audit/window';
import { rangePresets } from '@/lib/ui/time-range';

// Window (preset, custom from/to, or incident ± margin minutes), filters, burst gap in seconds, sort.
export const auditSearchParams = {
  range: parseAsStringLiteral(rangePresets).withDefault('1h'),
  from: parseAsString,
  to: parseAsString,
  incident: parseAsString,
  margin: parseAsInteger.withDefault(DEFAULT_MARGIN_MINUTES),
  cluster: parseAsString.withDefault(''),
  namespace: parseAsString.withDefault(''),
  cause: parseAsStringLiteral(['', ...failoverCauses] as const).withDefault(''),
  burst: parseAsInteger.withDefault(DEFAULT_BURST_GAP_MS / 1_000),
  sort: parseAsStringLiteral(failoverSortKeys).withDefault('time'),
  dir: parseAsStringLiteral(['asc', 'desc'] as const).withDefault('asc'),
};

export const serializeAuditSearchParams = createSerializer({ ...auditSearchParams, tz: timeZoneParser });
