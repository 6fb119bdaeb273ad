import { isSupportedDate, maxInt8, supportedYearsMessage } from './limits';
import { z } from 'zod';
import { DEFAULT_BURST_GAP_MS } from '../audit/bursts';
import { failoverCauses } from '../audit/causes';
import type { TimeRange } from '../store/time-range';
import { MAX_RANGE_DAYS, gapsQuery, leaseParams, resolveRange, timelineQuery } from './schemas';

// The read API's own field schemas, so every endpoint words the same mistake the same way.
const dateTime = gapsQuery.in.shape.from.unwrap();
const clusterName = leaseParams.shape.cluster;
const namespaceName = timelineQuery.in.shape.namespace.unwrap();
const leaseName = leaseParams.shape.name;

// In a JSON body an offset's + needs no escaping, so this message drops the query string's hint.
const bodyDateTime = z.iso
  .datetime({ offset: true, error: 'must be an ISO 8601 date-time with a zone, e.g. 2026-11-24T10:00:00Z' })
  .transform((value) => new Date(value))
  .refine(isSupportedDate, supportedYearsMessage);

const DAY_MS = 24 * 60 * 60 * 1000;

function wholeNumber(min: number, max: number, defaultValue: number) {
  const message = `must be a whole number from ${min} to ${max}`;
  return z.string().regex(/^\d+$/, message).transform(Number).pipe(z.number().int().min(min, message).max(max, message)).default(defaultValue);
}

function withRange<T extends { from?: Date; to?: Date }>({ from, to, ...rest }: T, ctx: z.RefinementCtx): Omit<T, 'from' | 'to'> & { range: TimeRange } {
  const range = resolveRange(from, to, new Date());
  const spanMs = range.to.getTime() - range.from.getTime();
  if (spanMs <= 0) {
    ctx.addIssue({ code: 'custom', path: ['from'], message: `must be before to (from ${range.from.toISOString()}, to ${range.to.toISOString()})` });
    return z.NEVER;
  }
  if (spanMs > MAX_RANGE_DAYS * DAY_MS) {
    ctx.addIssue({ code: 'custom', path: ['from'], message: `must be at most ${MAX_RANGE_DAYS} days before to (the range spans ${(spanMs / DAY_MS).toFixed(1)} days)` });
    return z.NEVER;
  }
  return { ...rest, range };
}

export const failoverFormats = ['json', 'csv'] as const;

export const failoversQuery = z
  .strictObject({
    from: dateTime.optional(),
    to: dateTime.optional(),
    cluster: clusterName.optional(),
    namespace: namespaceName.optional(),
    cause: z.enum(failoverCauses, { error: `must be one of ${failoverCauses.join(', ')}` }).optional(),
    format: z.enum(failoverFormats, { error: `must be one of ${failoverFormats.join(', ')}` }).default('json'),
    burst: wholeNumber(1, 3_600, DEFAULT_BURST_GAP_MS / 1_000),
    limit: wholeNumber(1, 100_000, 10_000),
  })
  .transform(withRange);

export type FailoversQuery = z.output<typeof failoversQuery>;

const pairingMessage = 'namespace and name go together, with cluster';

export const annotationsQuery = z
  .strictObject({
    from: dateTime.optional(),
    to: dateTime.optional(),
    cluster: clusterName.optional(),
    namespace: namespaceName.optional(),
    name: leaseName.optional(),
    limit: wholeNumber(1, 10_000, 1_000),
  })
  .superRefine((query, ctx) => {
    const hasNamespace = query.namespace !== undefined;
    if (hasNamespace !== (query.name !== undefined) || (hasNamespace && query.cluster === undefined)) {
      ctx.addIssue({ code: 'custom', path: [hasNamespace ? 'name' : 'namespace'], message: pairingMessage });
    }
  })
  .transform(withRange);

const bodyText = (max: number) =>
  z
    .string({ error: 'is required and must be text' })
    .trim()
    .min(1, `must not be empty`)
    .max(max, `must be at most ${max} characters`);

const annotationFields = ['text', 'at', 'endAt', 'cluster', 'namespace', 'name', 'transitionId'];

export const annotationBody = z
  .strictObject(
    {
      text: bodyText(2_000),
      at: bodyDateTime,
      endAt: bodyDateTime.nullish(),
      cluster: clusterName.nullish(),
      namespace: namespaceName.nullish(),
      name: leaseName.nullish(),
      transitionId: z
        .string({ error: 'must be a transition id as a string of digits, e.g. "1234"' })
        .regex(/^\d{1,19}$/, 'must be a transition id as a string of digits, e.g. "1234"')
        .transform(BigInt)
        .refine((value) => value <= maxInt8, 'must be a transition id within PostgreSQL bigint')
        .nullish(),
    },
    { error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown field ${issue.keys.join(', ')} (accepted: ${annotationFields.join(', ')})` : undefined) },
  )
  .superRefine((body, ctx) => {
    if (body.endAt && body.endAt.getTime() < body.at.getTime()) ctx.addIssue({ code: 'custom', path: ['endAt'], message: 'must not be before at' });
    const hasNamespace = body.namespace != null;
    if (hasNamespace !== (body.name != null) || (hasNamespace && body.cluster == null)) {
      ctx.addIssue({ code: 'custom', path: [hasNamespace ? 'name' : 'namespace'], message: pairingMessage });
    }
  })
  .transform(({ cluster, namespace, name, ...body }) => ({
    ...body,
    cluster: cluster ?? null,
    lease: cluster && namespace && name ? { cluster, namespace, name } : null,
  }));

export const annotationExample = '{"text":"scheduler moved after the eu network blip","at":"2026-11-24T10:00:00Z","cluster":"prod-eu","namespace":"kube-system","name":"kube-scheduler"}';
