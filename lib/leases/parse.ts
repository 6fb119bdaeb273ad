import { z } from 'zod';
import { classifyLease } from './classify';
import { isExactMicroTime, parseMicroTime } from './micro-time';
import type { LeaseKey, MicroTime, Observation, ObservationSource } from './types';

export type ParseContext = { cluster: string; observedAt: number; source: ObservationSource };

export type ParseResult = { ok: true; observation: Observation } | { ok: false; reason: string; key?: LeaseKey };

export type MalformedLease = { index: number; reason: string; key?: LeaseKey };

// A Date here means a typed client already parsed the text and dropped the microseconds, which would
// change every eventKey derived from it: ask for the raw object instead of guessing.
const microTimeSchema = z.preprocess(
  (value) => (isExactMicroTime(value) ? value.iso : value),
  z.string({
    error: (issue) =>
      issue.input instanceof Date
        ? 'is a Date, not the API server text (pass the raw JSON object so microseconds survive)'
        : `must be an RFC 3339 time string (got ${describeInput(issue.input)})`,
  })
  .transform((text, ctx) => {
    const parsed = parseMicroTime(text);
    if (parsed === null) {
      ctx.issues.push({ code: 'custom', message: `is not an RFC 3339 time (got ${describeInput(text)})`, input: text });
      return z.NEVER;
    }
    return parsed;
  }),
);

// Both are int32 in the Lease API; a larger number is not a Lease the API server could have written.
const int32Max = 2_147_483_647;

const optionalText = z.string({ error: (issue) => `must be a string (got ${describeInput(issue.input)})` }).nullish();

const specSchema = z.object(
  {
    holderIdentity: optionalText,
    leaseDurationSeconds: z
      .number({ error: (issue) => `must be a number of seconds (got ${describeInput(issue.input)})` })
      .int({ error: (issue) => `must be a whole number of seconds (got ${describeInput(issue.input)})` })
      .positive({ error: (issue) => `must be greater than 0 (got ${describeInput(issue.input)})` })
      .max(int32Max, { error: (issue) => `must fit the API's int32 (got ${describeInput(issue.input)})` })
      .nullish(),
    acquireTime: microTimeSchema.nullish(),
    renewTime: microTimeSchema.nullish(),
    leaseTransitions: z
      .number({ error: (issue) => `must be a number (got ${describeInput(issue.input)})` })
      .int({ error: (issue) => `must be an integer (got ${describeInput(issue.input)})` })
      .nonnegative({ error: (issue) => `must not be negative (got ${describeInput(issue.input)})` })
      .max(int32Max, { error: (issue) => `must fit the API's int32 (got ${describeInput(issue.input)})` })
      .nullish(),
    strategy: optionalText,
    preferredHolder: optionalText,
  },
  // The API server always serialises spec (a Go struct); its absence means a metadata-only or truncated
  // object, and reading it as "nobody holds the lease" would invent a release.
  { error: (issue) => (issue.input === undefined ? 'is missing (metadata-only object?)' : 'must be an object') },
);

const requiredText = z
  .string({ error: (issue) => (issue.input === undefined ? 'is missing' : `must be a string (got ${describeInput(issue.input)})`) })
  .min(1, { error: 'must not be empty' });

const metadataSchema = z.object(
  {
    name: requiredText,
    namespace: requiredText,
    uid: z.string({ error: (issue) => `must be a string (got ${describeInput(issue.input)})` }).min(1).nullish(),
    resourceVersion: requiredText,
    labels: z.record(z.string(), z.string(), { error: 'must map strings to strings' }).nullish(),
  },
  { error: (issue) => (issue.input === undefined ? 'is missing' : 'must be an object') },
);

const leaseSchema = z.object({ metadata: metadataSchema, spec: specSchema }, { error: 'is not an object' });

// The watch hot path: plain checks that accept exactly what the schema accepts, with the same result.
// Anything they do not accept goes through the schema, which explains what is wrong.
export function parseLease(obj: unknown, ctx: ParseContext): ParseResult {
  return parseWellFormed(obj, ctx) ?? parseLeaseStrict(obj, ctx);
}

const isNullish = (value: unknown): value is null | undefined => value === null || value === undefined;
const isOptionalString = (value: unknown): value is string | null | undefined => isNullish(value) || typeof value === 'string';
const isNonEmptyString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

function isStringRecord(value: unknown): value is Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  for (const key in value) if (typeof (value as Record<string, unknown>)[key] !== 'string') return false;
  return Object.getPrototypeOf(value) === Object.prototype;
}

// A time the protobuf decoder built from its Timestamp is taken as it is (no text to parse back).
function optionalMicroTime(value: unknown): MicroTime | null | false {
  if (isNullish(value)) return null;
  if (typeof value === 'string') return parseMicroTime(value) ?? false;
  return isExactMicroTime(value) ? value : false;
}

export function parseWellFormed(obj: unknown, ctx: ParseContext): ParseResult | undefined {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return undefined;
  const { metadata, spec } = obj as { metadata?: unknown; spec?: unknown };
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) return undefined;
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) return undefined;
  const { name, namespace, uid, resourceVersion, labels } = metadata as Record<string, unknown>;
  if (!isNonEmptyString(name) || !isNonEmptyString(namespace) || !isNonEmptyString(resourceVersion)) return undefined;
  if (!isNullish(uid) && !isNonEmptyString(uid)) return undefined;
  if (!isNullish(labels) && !isStringRecord(labels)) return undefined;
  const { holderIdentity, leaseDurationSeconds, acquireTime, renewTime, leaseTransitions, strategy, preferredHolder } = spec as Record<string, unknown>;
  if (!isOptionalString(holderIdentity) || !isOptionalString(strategy) || !isOptionalString(preferredHolder)) return undefined;
  if (!isNullish(leaseDurationSeconds) && !(Number.isSafeInteger(leaseDurationSeconds) && (leaseDurationSeconds as number) > 0 && (leaseDurationSeconds as number) <= int32Max)) return undefined;
  if (!isNullish(leaseTransitions) && !(Number.isSafeInteger(leaseTransitions) && (leaseTransitions as number) >= 0 && (leaseTransitions as number) <= int32Max)) return undefined;
  const acquire = optionalMicroTime(acquireTime);
  const renew = optionalMicroTime(renewTime);
  if (acquire === false || renew === false) return undefined;
  const labelMap = (labels as Record<string, string> | null | undefined) ?? {};
  return {
    ok: true,
    observation: {
      key: { cluster: ctx.cluster, namespace, name },
      uid: (uid as string | null | undefined) ?? null,
      resourceVersion,
      kind: classifyLease(namespace, name, labelMap),
      holderIdentity: holderIdentity ? holderIdentity : null,
      leaseDurationSeconds: (leaseDurationSeconds as number | null | undefined) ?? null,
      acquireTime: acquire,
      renewTime: renew,
      leaseTransitions: (leaseTransitions as number | null | undefined) ?? null,
      strategy: strategy ?? null,
      preferredHolder: preferredHolder ?? null,
      labels: labelMap,
      observedAt: ctx.observedAt,
      source: ctx.source,
    },
  };
}

// The schema alone: slower, and the authority on what a well-formed Lease is.
export function parseLeaseStrict(obj: unknown, ctx: ParseContext): ParseResult {
  const parsed = leaseSchema.safeParse(obj);
  if (!parsed.success) {
    const key = readLeaseKey(obj, ctx.cluster);
    return { ok: false, reason: formatIssues(parsed.error), ...(key ? { key } : {}) };
  }
  const { metadata, spec } = parsed.data;
  const labels = metadata.labels ?? {};
  return {
    ok: true,
    observation: {
      key: { cluster: ctx.cluster, namespace: metadata.namespace, name: metadata.name },
      uid: metadata.uid ?? null,
      resourceVersion: metadata.resourceVersion,
      kind: classifyLease(metadata.namespace, metadata.name, labels),
      holderIdentity: spec.holderIdentity ? spec.holderIdentity : null,
      leaseDurationSeconds: spec.leaseDurationSeconds ?? null,
      acquireTime: spec.acquireTime ?? null,
      renewTime: spec.renewTime ?? null,
      leaseTransitions: spec.leaseTransitions ?? null,
      strategy: spec.strategy ?? null,
      preferredHolder: spec.preferredHolder ?? null,
      labels,
      observedAt: ctx.observedAt,
      source: ctx.source,
    },
  };
}

export function parseLeases(items: readonly unknown[], ctx: ParseContext): { observations: Observation[]; malformed: MalformedLease[] } {
  const observations: Observation[] = [];
  const malformed: MalformedLease[] = [];
  items.forEach((item, index) => {
    const result = parseLease(item, ctx);
    if (result.ok) observations.push(result.observation);
    else malformed.push({ index, reason: result.reason, ...(result.key ? { key: result.key } : {}) });
  });
  return { observations, malformed };
}

function readLeaseKey(obj: unknown, cluster: string): LeaseKey | undefined {
  if (!isRecord(obj) || !isRecord(obj.metadata)) return undefined;
  const { name, namespace } = obj.metadata;
  if (typeof name !== 'string' || typeof namespace !== 'string' || name === '' || namespace === '') return undefined;
  return { cluster, namespace, name };
}

function formatIssues(error: z.ZodError): string {
  return error.issues.map((issue) => (issue.path.length === 0 ? issue.message : `${issue.path.join('.')}: ${issue.message}`)).join('; ');
}

function describeInput(input: unknown): string {
  if (input === undefined) return 'nothing';
  const text = JSON.stringify(input) ?? String(input);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
