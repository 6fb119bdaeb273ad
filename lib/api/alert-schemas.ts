import { int8Digits, isSupportedDate, maxInt4, supportedYearsMessage } from './limits';
import { z } from 'zod';
import { alertmanagerConfig, channelKinds, slackConfig, webhookConfig } from '../alerts/channel-config';
import { defaultGroupBy, defaultGroupTiming, groupByParts } from '../alerts/grouping';
import { defaultQuietSeconds, flappingParams, heartbeatGapParams, leaderlessParams, renewLatencyParams, sloBurnParams, staleDataParams } from '../alerts/params';
import { ruleKinds, type RuleKind } from '../alerts/types';
import { LabelSelectorError, parseLabelSelector } from '../leases/label-selector';
import { isHttpUrl } from '../http-url';
import type { TimeRange } from '../store/time-range';
import { MAX_RANGE_DAYS, resolveRange } from './schemas';

const DAY_MS = 24 * 60 * 60 * 1000;

const dateTime = z.iso
  .datetime({ offset: true, error: 'must be an ISO 8601 date-time with a zone, e.g. 2026-11-24T10:00:00Z' })
  .transform((value) => new Date(value))
  .refine(isSupportedDate, supportedYearsMessage);

const displayName = (what: string) =>
  z
    .string({ error: `${what} is required` })
    .trim()
    .min(1, `${what} must not be empty`)
    .max(100, `${what} must be at most 100 characters`);

const glob = z
  .string()
  .trim()
  .min(1, 'must not be empty (use * for everything)')
  .max(253, 'must be at most 253 characters')
  .regex(/^\S+$/, 'must not contain spaces');

const excludePattern = glob.refine((value) => value.split('/').every((part) => part !== ''), 'must be cluster, cluster/namespace or cluster/namespace/name, globs allowed, with no empty part');

function whole(name: string, min: number, max: number) {
  const message = `${name} must be a whole number from ${min} to ${max}`;
  return z.number({ error: message }).int(message).min(min, message).max(max, message);
}

const ruleCommon = {
  name: displayName('name'),
  enabled: z.boolean({ error: 'enabled must be true or false' }).default(true),
  clusterPattern: glob.default('*'),
  namespacePattern: glob.default('*'),
  namePattern: glob.default('*'),
  excludePatterns: z.array(excludePattern, { error: 'excludePatterns must be a list of patterns' }).max(50, 'at most 50 exclusions').default([]),
  forSeconds: whole('forSeconds', 0, 86_400).default(0),
  runbookUrl: z
    .string({ error: 'runbookUrl must be an http(s) URL' })
    .trim()
    .max(2_000, 'runbookUrl must be at most 2000 characters')
    .refine(isHttpUrl, 'runbookUrl must be an http(s) URL, e.g. https://wiki.example.com/runbooks/leaderless')
    .nullable()
    .default(null),
  groupBy: z
    .array(z.enum(groupByParts, { error: `groupBy entries must be ${groupByParts.join(', ')}` }), { error: 'groupBy must be a list, e.g. ["cluster"]' })
    .max(groupByParts.length)
    .default([...defaultGroupBy])
    .transform((parts) => groupByParts.filter((part) => parts.includes(part))),
  // How long the first notification of a group waits for more members (Alertmanager's group_wait).
  groupWaitSeconds: whole('groupWaitSeconds', 0, 3_600).default(defaultGroupTiming.groupWaitSeconds),
  // How long after a group's last message its changes wait (group_interval), and when a group with
  // nothing new is sent again (repeat_interval, 0 = never).
  groupIntervalSeconds: whole('groupIntervalSeconds', 0, 86_400).default(defaultGroupTiming.groupIntervalSeconds),
  repeatIntervalSeconds: whole('repeatIntervalSeconds', 0, 7 * 86_400).default(defaultGroupTiming.repeatIntervalSeconds),
  channelIds: z
    .array(z.number().int().positive('channel ids are positive whole numbers').max(maxInt4, 'channel ids are positive whole numbers'), { error: 'channelIds must be a list of channel ids' })
    .max(50, 'at most 50 channels')
    .default([])
    .transform((ids) => [...new Set(ids)]),
};

const kindError = { error: `kind must be one of ${ruleKinds.join(', ')}` };

// Each kind's quiet period defaults to what fits it: a leaderless period that ended is over.
const quietSecondsFor = (kind: RuleKind) => whole('quietSeconds', 0, 86_400).default(defaultQuietSeconds[kind]);

export const ruleBody = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ ...ruleCommon, quietSeconds: quietSecondsFor('flapping'), kind: z.literal('flapping'), params: flappingParams }),
    z.strictObject({ ...ruleCommon, quietSeconds: quietSecondsFor('leaderless'), kind: z.literal('leaderless'), params: leaderlessParams }),
    z.strictObject({ ...ruleCommon, quietSeconds: quietSecondsFor('renew_latency'), kind: z.literal('renew_latency'), params: renewLatencyParams }),
    z.strictObject({ ...ruleCommon, quietSeconds: quietSecondsFor('stale_data'), kind: z.literal('stale_data'), params: staleDataParams }),
    z.strictObject({ ...ruleCommon, quietSeconds: quietSecondsFor('heartbeat_gap'), kind: z.literal('heartbeat_gap'), params: heartbeatGapParams }),
    z.strictObject({ ...ruleCommon, quietSeconds: quietSecondsFor('slo_burn'), kind: z.literal('slo_burn'), params: sloBurnParams }),
  ],
  kindError,
);

export type RuleBody = z.output<typeof ruleBody>;

// A partial rule, merged over the stored one and then validated whole as ruleBody.
export const rulePatch = z.strictObject({
  name: z.string().optional(),
  enabled: z.boolean({ error: 'enabled must be true or false' }).optional(),
  clusterPattern: z.string().optional(),
  namespacePattern: z.string().optional(),
  namePattern: z.string().optional(),
  excludePatterns: z.array(z.string()).optional(),
  forSeconds: z.number().optional(),
  quietSeconds: z.number().optional(),
  runbookUrl: z.string().nullable().optional(),
  groupBy: z.array(z.string()).optional(),
  groupWaitSeconds: z.number().optional(),
  groupIntervalSeconds: z.number().optional(),
  repeatIntervalSeconds: z.number().optional(),
  channelIds: z.array(z.number()).optional(),
  kind: z.enum(ruleKinds, kindError).optional(),
  params: z.record(z.string(), z.unknown(), { error: 'params must be an object' }).optional(),
});

const previewCommon = {
  name: z.string().optional(),
  enabled: z.boolean().optional(),
  channelIds: z.array(z.number()).optional(),
  clusterPattern: ruleCommon.clusterPattern,
  namespacePattern: ruleCommon.namespacePattern,
  namePattern: ruleCommon.namePattern,
  excludePatterns: ruleCommon.excludePatterns,
  runbookUrl: z.string().nullable().optional(),
  groupBy: z.array(z.string()).optional(),
  groupWaitSeconds: z.number().optional(),
  groupIntervalSeconds: z.number().optional(),
  repeatIntervalSeconds: z.number().optional(),
  forSeconds: ruleCommon.forSeconds,
  hours: whole('hours', 1, MAX_RANGE_DAYS * 24).default(24),
};

// The rule as the form holds it (saved or not) and how far back to replay it.
export const previewBody = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ ...previewCommon, quietSeconds: quietSecondsFor('flapping'), kind: z.literal('flapping'), params: flappingParams }),
    z.strictObject({ ...previewCommon, quietSeconds: quietSecondsFor('leaderless'), kind: z.literal('leaderless'), params: leaderlessParams }),
    z.strictObject({ ...previewCommon, quietSeconds: quietSecondsFor('renew_latency'), kind: z.literal('renew_latency'), params: renewLatencyParams }),
    z.strictObject({ ...previewCommon, quietSeconds: quietSecondsFor('stale_data'), kind: z.literal('stale_data'), params: staleDataParams }),
    z.strictObject({ ...previewCommon, quietSeconds: quietSecondsFor('heartbeat_gap'), kind: z.literal('heartbeat_gap'), params: heartbeatGapParams }),
    z.strictObject({ ...previewCommon, quietSeconds: quietSecondsFor('slo_burn'), kind: z.literal('slo_burn'), params: sloBurnParams }),
  ],
  kindError,
);

const channelCommon = { name: displayName('name'), enabled: z.boolean({ error: 'enabled must be true or false' }).default(true) };

export const channelBody = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ ...channelCommon, kind: z.literal('webhook'), config: webhookConfig }),
    z.strictObject({ ...channelCommon, kind: z.literal('slack'), config: slackConfig }),
    z.strictObject({ ...channelCommon, kind: z.literal('alertmanager'), config: alertmanagerConfig }),
  ],
  { error: `kind must be one of ${channelKinds.join(', ')}` },
);

export const channelPatch = z.strictObject({
  name: displayName('name').optional(),
  enabled: z.boolean({ error: 'enabled must be true or false' }).optional(),
  kind: z.enum(channelKinds, { error: `kind must be one of ${channelKinds.join(', ')}` }).optional(),
  config: z.record(z.string(), z.unknown(), { error: 'config must be an object' }).optional(),
});

export const acknowledgeBody = z.strictObject({
  note: z.string({ error: 'note is required: say what you are doing about it' }).trim().min(1, 'note must not be empty').max(2_000, 'note must be at most 2000 characters'),
});

export const silenceBody = z.strictObject({
  until: dateTime,
  note: z.string().trim().max(2_000, 'note must be at most 2000 characters').optional(),
});

export const liftSilenceBody = z.strictObject({ note: z.string().trim().max(2_000, 'note must be at most 2000 characters').optional() });

const positiveInt = z.string().regex(/^\d{1,9}$/, 'must be a whole number').transform(Number).pipe(z.number().int().positive('must be a positive whole number'));

export const numericIdParams = z.strictObject({ id: positiveInt });

export const alertIdParams = z.strictObject({ id: int8Digits('must be a positive whole number') });


function limit(defaultValue: number, max: number) {
  const message = `must be a whole number from 1 to ${max}`;
  return z.string().regex(/^\d+$/, message).transform(Number).pipe(z.number().int().min(1, message).max(max, message)).default(defaultValue);
}

export const alertsQuery = z
  .strictObject({
    state: z.enum(['open', 'resolved', 'all'], { error: 'must be one of open, resolved, all' }).default('open'),
    rule: positiveInt.optional(),
    cluster: z.string().min(1).max(253, 'must be at most 253 characters').optional(),
    from: dateTime.optional(),
    to: dateTime.optional(),
    limit: limit(200, 1_000),
  })
  .transform(({ from, to, ...rest }, ctx): Omit<typeof rest, never> & { range: TimeRange } => {
    const range = resolveRange(from, to, new Date());
    const spanMs = range.to.getTime() - range.from.getTime();
    if (spanMs <= 0) ctx.addIssue({ code: 'custom', path: ['from'], message: 'must be before to' });
    if (spanMs > MAX_RANGE_DAYS * DAY_MS) ctx.addIssue({ code: 'custom', path: ['from'], message: `must be at most ${MAX_RANGE_DAYS} days before to` });
    return { ...rest, range };
  });

type StoredRule = { name: string; enabled: boolean; kind: string; params: Record<string, unknown>; clusterPattern: string; namespacePattern: string; namePattern: string; excludePatterns: string[]; forSeconds: number; quietSeconds: number; runbookUrl: string | null; groupBy: string[]; groupWaitSeconds: number; groupIntervalSeconds: number; repeatIntervalSeconds: number; channelIds: number[] };

// The stored rule with the patch laid over it, ready to be validated as a whole rule. Params are
// replaced, not merged: each kind has its own, and half of one kind's params mean nothing.
export function mergeRulePatch(stored: StoredRule, patch: z.output<typeof rulePatch>): unknown {
  const { kind, params, ...rest } = patch;
  const isKindChanging = kind !== undefined && kind !== stored.kind;
  if (isKindChanging && params === undefined) throw new z.ZodError([{ code: 'custom', path: ['params'], message: `params are required when kind changes from ${stored.kind} to ${kind}`, input: undefined }]);
  const base = {
    name: stored.name,
    enabled: stored.enabled,
    clusterPattern: stored.clusterPattern,
    namespacePattern: stored.namespacePattern,
    namePattern: stored.namePattern,
    excludePatterns: stored.excludePatterns,
    forSeconds: stored.forSeconds,
    quietSeconds: stored.quietSeconds,
    runbookUrl: stored.runbookUrl,
    groupBy: stored.groupBy,
    groupWaitSeconds: stored.groupWaitSeconds,
    groupIntervalSeconds: stored.groupIntervalSeconds,
    repeatIntervalSeconds: stored.repeatIntervalSeconds,
    channelIds: stored.channelIds,
  };
  const defined = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined));
  return { ...base, ...defined, kind: kind ?? stored.kind, params: params ?? stored.params };
}

const rulePattern = z.string().trim().min(1, 'must not be empty (use * for every rule)').max(200, 'must be at most 200 characters');

// Alertmanager-style silence: every matcher is a glob, a missing one matches everything.
export const matcherSilenceBody = z
  .strictObject({
    matchers: z.strictObject(
      { cluster: glob.default('*'), namespace: glob.default('*'), lease: glob.default('*'), rule: rulePattern.default('*') },
      { error: 'matchers must be an object, e.g. {"cluster":"prod-*","namespace":"kube-system","lease":"*","rule":"*"}' },
    )
      .prefault({}),
    startsAt: dateTime.optional(),
    endsAt: dateTime,
    comment: z.string({ error: 'comment is required: say why alerts are silenced' }).trim().min(1, 'comment must not be empty').max(2_000, 'comment must be at most 2000 characters'),
  })
  .refine((body) => body.startsAt === undefined || body.endsAt.getTime() > body.startsAt.getTime(), { path: ['endsAt'], message: 'must be after startsAt' });

export const silencesQuery = z.strictObject({
  state: z.enum(['active', 'pending', 'expired', 'all'], { error: 'must be one of active, pending, expired, all' }).default('all'),
  limit: limit(200, 1_000),
});

// A Kubernetes label selector, validated as kubectl validates it; stored as the user wrote it (trimmed).
const labelSelector = z
  .string({ error: 'labelSelector must be a string, e.g. "app=etcd,tier in (control-plane)"' })
  .trim()
  .max(1_000, 'labelSelector must be at most 1000 characters')
  .superRefine((value, ctx) => {
    try {
      parseLabelSelector(value);
    } catch (error) {
      if (!(error instanceof LabelSelectorError)) throw error;
      ctx.addIssue({ code: 'custom', message: error.message });
    }
  });

// A leadership SLO: leases by glob and label selector, a target share of observed time with a leader, a rolling window.
export const sloBody = z.strictObject({
  name: displayName('name'),
  clusterPattern: glob.default('*'),
  namespacePattern: glob.default('*'),
  leasePattern: glob.default('*'),
  labelSelector: labelSelector.default(''),
  targetPercent: z
    .number({ error: 'targetPercent must be a number, e.g. 99.95' })
    .min(50, 'targetPercent must be at least 50 (% of observed time with a leader)')
    .lt(100, 'targetPercent must be below 100: a 100 % target leaves no error budget to measure'),
  windowDays: whole('windowDays', 1, MAX_RANGE_DAYS).default(30),
});

export const sloExportQuery = z.strictObject({ format: z.enum(['csv', 'json'], { error: 'must be csv or json' }).default('json') });

// The advisor: how far back to look, and the settings the Lease object does not carry, if the user knows them.
const seconds = (name: string) =>
  z
    .string()
    .regex(/^\d+(\.\d+)?$/, `${name} must be a number of seconds, e.g. 10`)
    .transform(Number)
    .pipe(z.number().gt(0, `${name} must be above 0`).max(3_600, `${name} must be at most 3600 seconds`))
    .optional();

export const advisorQuery = z.strictObject({
  days: z
    .string()
    .regex(/^\d+$/, `days must be a whole number from 1 to ${MAX_RANGE_DAYS}`)
    .transform(Number)
    .pipe(z.number().int().min(1, `days must be a whole number from 1 to ${MAX_RANGE_DAYS}`).max(MAX_RANGE_DAYS, `days must be a whole number from 1 to ${MAX_RANGE_DAYS}`))
    .default(7),
  renewDeadlineSeconds: seconds('renewDeadlineSeconds'),
  retryPeriodSeconds: seconds('retryPeriodSeconds'),
});
