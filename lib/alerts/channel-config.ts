import { z } from 'zod';
import { isHttpUrl } from '../http-url';

export const channelKinds = ['webhook', 'slack', 'alertmanager'] as const;

export type ChannelKind = (typeof channelKinds)[number];

const targetUrl = z
  .string({ error: 'url is required' })
  .trim()
  .max(2_048, 'url must be at most 2048 characters')
  .refine(isHttpUrl, 'url must be an http:// or https:// URL, e.g. https://hooks.example.com/leasetrail');

const allowPrivateTargets = z.boolean({ error: 'allowPrivateTargets must be true or false' }).default(false);

export const webhookConfig = z.strictObject({
  url: targetUrl,
  secret: z
    .string({ error: 'secret is required: the receiver checks the X-Leasetrail-Signature HMAC with it' })
    .min(16, 'secret must be at least 16 characters')
    .max(512, 'secret must be at most 512 characters'),
  allowPrivateTargets,
});

export const slackConfig = z.strictObject({ url: targetUrl, allowPrivateTargets });

const maxLabels = 50;

const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'label names must match [a-zA-Z_][a-zA-Z0-9_]*');

export const alertmanagerConfig = z.strictObject({
  url: targetUrl,
  bearerToken: z.string().min(1, 'bearerToken must not be empty').max(4_096).optional(),
  labels: z
    .record(labelName.max(128, 'label names must be at most 128 characters'), z.string().max(1_024, 'label values must be at most 1024 characters'), {
      error: (issue) => (issue.code === 'invalid_key' ? 'label names must match [a-zA-Z_][a-zA-Z0-9_]*' : issue.code === 'invalid_type' ? 'labels must be an object of label names to values' : undefined),
    })
    .refine((labels) => Object.keys(labels).length <= maxLabels, `at most ${maxLabels} labels`)
    .default({}),
  allowPrivateTargets,
});

export type WebhookConfig = z.infer<typeof webhookConfig>;
export type SlackConfig = z.infer<typeof slackConfig>;
export type AlertmanagerConfig = z.infer<typeof alertmanagerConfig>;

export type ChannelDefinition =
  | { kind: 'webhook'; config: WebhookConfig }
  | { kind: 'slack'; config: SlackConfig }
  | { kind: 'alertmanager'; config: AlertmanagerConfig };

export const channelDefinitionSchema = z.discriminatedUnion(
  'kind',
  [
    z.object({ kind: z.literal('webhook'), config: webhookConfig }),
    z.object({ kind: z.literal('slack'), config: slackConfig }),
    z.object({ kind: z.literal('alertmanager'), config: alertmanagerConfig }),
  ],
  { error: 'kind must be one of webhook, slack, alertmanager' },
);

export function parseChannelDefinition(kind: ChannelKind, config: unknown): ChannelDefinition {
  return channelDefinitionSchema.parse({ kind, config });
}

// Credentials are write-only: answers show that they are set, never what they are. A Slack incoming
// webhook URL is itself the credential.
export const secretFields: Record<ChannelKind, readonly string[]> = { webhook: ['secret'], slack: ['url'], alertmanager: ['bearerToken'] };

export function redactChannelConfig(definition: ChannelDefinition): Record<string, unknown> {
  switch (definition.kind) {
    case 'webhook': {
      const { secret: _secret, ...rest } = definition.config;
      return { ...rest, hasSecret: true };
    }
    case 'slack': {
      const { url, ...rest } = definition.config;
      const parsed = new URL(url);
      return { ...rest, url: `${parsed.origin}/…`, hasUrl: true };
    }
    case 'alertmanager': {
      const { bearerToken, ...rest } = definition.config;
      return { ...rest, hasBearerToken: bearerToken !== undefined };
    }
  }
}

function originOf(value: unknown): string | null {
  try {
    return typeof value === 'string' ? new URL(value).origin : null;
  } catch {
    return null;
  }
}

// An update may leave credentials out to keep the stored ones, but only while the target stays on
// the same origin: otherwise a new URL plus "Send test" would hand the old secret to whoever runs it.
export function mergeChannelConfig(kind: ChannelKind, stored: Record<string, unknown>, update: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...stored, ...update };
  const isRetargeted = update.url !== undefined && originOf(update.url) !== originOf(stored.url);
  for (const field of secretFields[kind]) {
    if (update[field] !== undefined || field === 'url') continue;
    if (isRetargeted) delete merged[field];
    else if (stored[field] !== undefined) merged[field] = stored[field];
  }
  return merged;
}
