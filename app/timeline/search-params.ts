import { parseAsString, parseAsStringLiteral } from 'nuqs';
import { rangePresets } from '@/lib/ui/time-range';

export const timelineSearchParams = {
  range: parseAsStringLiteral(rangePresets).withDefault('1h'),
  from: parseAsString,
  to: parseAsString,
  at: parseAsString,
  cluster: parseAsString.withDefault(''),
  namespace: parseAsString.withDefault(''),
};
