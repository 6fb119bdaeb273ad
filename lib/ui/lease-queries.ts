import type { DehydratedState } from '@tanstack/react-query';
import type { LeaseKey } from '../leases/types';
import { packJson, unpackJson } from './packed-json';
import { rangeKeyOf, resolveRange, type RangeSelection } from './time-range';

// The lease page asks for every transition of its range at once: the timeline needs them all.
export const TRANSITIONS_LIMIT = 10_000;

export type HistoryWindow = { from: number; to: number; rangeKey: string };

// The server component prefetches with the same `now` the client then starts from, so both resolve
// the same window and cache it under the same key. A sliding preset keeps its key as `now` moves.
export function resolveHistoryWindow(selection: RangeSelection, now: number): HistoryWindow {
  const { from, to } = resolveRange(selection, now);
  return { from, to, rangeKey: rangeKeyOf(selection, { from, to }) };
}

// ['lease', cluster, namespace, name, …]: the prefix live updates match a change notice against.
const leasePrefix = (key: LeaseKey) => ['lease', key.cluster, key.namespace, key.name] as const;

export const leaseQueryKeys = {
  detail: (key: LeaseKey) => [...leasePrefix(key), 'detail'] as const,
  transitions: (key: LeaseKey, rangeKey: string) => [...leasePrefix(key), 'transitions', rangeKey] as const,
  renewals: (key: LeaseKey, rangeKey: string) => [...leasePrefix(key), 'renewals', rangeKey] as const,
  annotations: (key: LeaseKey, rangeKey: string) => [...leasePrefix(key), 'annotations', rangeKey] as const,
  gaps: (key: LeaseKey, rangeKey: string) => [...leasePrefix(key), 'gaps', rangeKey] as const,
};

// The query strings of the history requests. The client sends them to the API; the server component
// parses the very same through the API's schemas, so a prefetched answer equals the fetched one.
export function leaseHistorySearch(key: LeaseKey, range: { from: number; to: number }) {
  const bounds = { from: new Date(range.from).toISOString(), to: new Date(range.to).toISOString() };
  return {
    transitions: { ...bounds, limit: String(TRANSITIONS_LIMIT) },
    renewals: bounds,
    annotations: { cluster: key.cluster, namespace: key.namespace, name: key.name, ...bounds },
    gaps: { cluster: key.cluster, ...bounds },
  };
}

// What the server component hands the client: the dehydrated history queries and the `now` they resolved.
export type PrefetchedHistory = { state: DehydratedState; now: number };

// Each answer crosses as one packed JSON text, which the browser parses in one go: React's own encoding
// would visit every value of thousands of transitions, and its text is four times as long.
export const serializeHistory = packJson;
export const deserializeHistory = unpackJson;
