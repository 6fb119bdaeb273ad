import { parseAsString, parseAsStringLiteral } from 'nuqs';

export const fleetSortKeys = ['cluster', 'name', 'holder', 'heldFor', 'transitions1h', 'transitions24h', 'renewP95', 'health'] as const;

export const fleetSearchParams = {
  q: parseAsString.withDefault(''),
  cluster: parseAsString.withDefault(''),
  health: parseAsStringLiteral(['', 'healthy', 'near_expiry', 'leaderless', 'flapping', 'stale'] as const).withDefault(''),
  sort: parseAsStringLiteral(fleetSortKeys).withDefault('health'),
  dir: parseAsStringLiteral(['asc', 'desc'] as const).withDefault('asc'),
};
