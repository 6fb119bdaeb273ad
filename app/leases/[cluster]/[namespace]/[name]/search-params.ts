import { createLoader, parseAsString, parseAsStringLiteral } from 'nuqs/server';
import { rangePresets } from '@/lib/ui/time-range';

export const leaseSearchParams = {
  range: parseAsStringLiteral(rangePresets).withDefault('1h'),
  from: parseAsString,
  to: parseAsString,
  at: parseAsString,
};

export const loadLeaseSearchParams = createLoader(leaseSearchParams);
