import { parseAsInteger, parseAsString, parseAsStringLiteral } from 'nuqs';

// Nodes: one cluster, a preset window (rollups reach back a week), grace period and "near" margin in seconds.
export const nodeRangePresets = ['1h', '6h', '24h', '7d'] as const;

export const nodesSearchParams = {
  cluster: parseAsString.withDefault(''),
  range: parseAsStringLiteral(nodeRangePresets).withDefault('1h'),
  grace: parseAsInteger.withDefault(40),
  near: parseAsInteger.withDefault(10),
  // The node whose renew gap over time is drawn beside the cluster's.
  node: parseAsString.withDefault(''),
};
