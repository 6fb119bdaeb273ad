import { createHmac, timingSafeEqual } from 'node:crypto';
import type { WebhookConfig } from '../channel-config';
import { postJson } from './http';
import type { AlertMessage, Notifier, SendContext } from './types';

export const signatureHeader = 'x-leasetrail-signature';
export const timestampHeader = 'x-leasetrail-timestamp';

// HMAC-SHA256 over "<timestamp>.<raw body>" with the channel's secret, hex, prefixed "sha256=". The
// timestamp is signed too, so a receiver can refuse replays older than a few minutes.
export function signWebhookBody(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function verifyWebhookSignature(secret: string, timestamp: string, body: string, signature: string): boolean {
  const expected = Buffer.from(signWebhookBody(secret, timestamp, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export function renderWebhookBody(message: AlertMessage): string {
  return JSON.stringify({ version: 1, ...message });
}

function send(config: WebhookConfig, message: AlertMessage, context: SendContext) {
  const body = renderWebhookBody(message);
  const timestamp = String(Math.floor(context.now / 1_000));
  return postJson(
    new URL(config.url),
    body,
    {
      'user-agent': 'Leasetrail-Webhook/1',
      'x-leasetrail-event': message.event,
      'x-leasetrail-delivery': message.deliveryId,
      [timestampHeader]: timestamp,
      [signatureHeader]: signWebhookBody(config.secret, timestamp, body),
    },
    { allowPrivateTargets: config.allowPrivateTargets },
    context,
  );
}

export const webhookNotifier: Notifier<WebhookConfig> = { sendAlert: send, sendRecovery: send, sendTest: send };
