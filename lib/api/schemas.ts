import { isSupportedDate, supportedYearsMessage } from './limits';
import { z } from 'zod';
import type { TimeRange } from '../store/time-range';

export const DEFAULT_RANGE_MS = 24 * 60 * 60 * 1000;
export const MAX_RANGE_DAYS = 31;
const MAX_RANGE_MS = MAX_RANGE_DAYS * 24 * 60 * 60 * 1000;

export const dateTime = z.iso
  .datetime({ offset: true, error: 'must be an ISO 8601 date-time with a zone, e.g. 2026-11-24T10:00:00Z (send the + of an offset as %2B)' })
  .transform((value) => new Date(value))
  .refine(isSupportedDate, supportedYearsMessage);

export const clusterName = z.string().max(253, 'must be at most 253 characters');

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const namespaceName = z
  .string()
  .max(63, 'must be at most 63 characters')
  .regex(dnsLabel, 'must be a Kubernetes namespace name: lowercase letters, digits and "-", starting and ending with a letter or digit');

const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const leaseName = z
  .string()
  .max(253, 'must be at most 253 characters')
  .regex(dnsSubdomain, 'must be a Kubernetes object name: lowercase letters, digits, "-" and ".", starting and ending with a letter or digit');

export const leaseKinds = ['election', 'node_heartbeat', 'apiserver_identity', 'all'] as const;
const kind = z.enum(leaseKinds, { error: `must be one of ${leaseKinds.join(', ')}` });

const text = z.string().max(200, 'must be at most 200 characters');

function limit(defaultValue: number, max: number) {
  const message = `must be a whole number from 1 to ${max}`;
  return z
    .string()
    .regex(/^\d+$/, message)
    .transform(Number)
    .pipe(z.number().int().min(1, message).max(max, message))
    .default(defaultValue);
}

// from alone reaches to now; to alone looks back one day; neither is the last 24 hours.
export function resolveRange(from: Date | undefined, to: Date | undefined, now: Date): TimeRange {
  const end = to ?? now;
  return { from: from ?? new Date(end.getTime() - DEFAULT_RANGE_MS), to: end };
}

function withRange<T extends { from?: Date; to?: Date }>({ from, to, ...rest }: T, ctx: z.RefinementCtx): Omit<T, 'from' | 'to'> & { range: TimeRange } {
  const range = resolveRange(from, to, new Date());
  const spanMs = range.to.getTime() - range.from.getTime();
  if (spanMs <= 0) {
    ctx.addIssue({ code: 'custom', path: ['from'], message: `must be before to (from ${range.from.toISOString()}, to ${range.to.toISOString()})` });
    return z.NEVER;
  }
  if (spanMs > MAX_RANGE_MS) {
    const days = (spanMs / (24 * 60 * 60 * 1000)).toFixed(1);
    ctx.addIssue({ code: 'custom', path: ['from'], message: `must be at most ${MAX_RANGE_DAYS} days before to (the range spans ${days} days)` });
    return z.NEVER;
  }
  return { ...rest, range };
}

export const noQuery = z.strictObject({});

export const leasesQuery = z.strictObject({
  cluster: clusterName.optional(),
  namespace: namespaceName.optional(),
  kind: kind.optional(),
  text: text.optional(),
  limit: limit(1_000, 10_000),
});

export type LeaseParams = { cluster: string; namespace: string; name: string };

export const leaseParams = z.strictObject({ cluster: clusterName.min(1, 'must not be empty'), namespace: namespaceName, name: leaseName });

export const transitionsQuery = z.strictObject({ from: dateTime.optional(), to: dateTime.optional(), limit: limit(1_000, 10_000) }).transform(withRange);

export const renewalsQuery = z.strictObject({ from: dateTime.optional(), to: dateTime.optional() }).transform(withRange);

export const gapsQuery = z
  .strictObject({ cluster: clusterName.optional(), from: dateTime.optional(), to: dateTime.optional(), limit: limit(1_000, 10_000) })
  .transform(withRange);

export const timelineQuery = z
  .strictObject({ cluster: clusterName.optional(), namespace: namespaceName.optional(), from: dateTime.optional(), to: dateTime.optional(), leases: limit(50, 500) })
  .transform(withRange);
