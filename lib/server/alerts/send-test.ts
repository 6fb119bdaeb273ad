import { randomUUID } from 'node:crypto';
import { ValidationError } from '../../errors';
import type { Store } from '../../store/client';
import { getChannelOrThrow } from '../../store/channels';
import { buildTestMessage } from '../../alerts/message';
import { sendMessage } from '../../alerts/notifiers';
import type { Resolve } from '../../alerts/target-guard';

export type TestResult = { delivered: true; status: number; durationMs: number } | { delivered: false; error: string; durationMs: number };

// Sends one test message now, outside the queue: the answer tells the person at the button at once.
export async function sendTestNotification(store: Store, input: { channelId: number; now?: () => number; resolve?: Resolve; timeoutMs?: number }): Promise<TestResult> {
  const now = input.now ?? Date.now;
  const channel = await getChannelOrThrow(store, input.channelId);
  if (!channel.definition) throw new ValidationError(`channel ${channel.name} has an invalid configuration: ${channel.configError}`);
  const started = now();
  const outcome = await sendMessage(channel.definition, buildTestMessage(channel.name, `test-${randomUUID()}`, started), {
    timeoutMs: input.timeoutMs ?? 10_000,
    resolve: input.resolve,
    now: started,
  });
  const durationMs = now() - started;
  return outcome.ok ? { delivered: true, status: outcome.status, durationMs } : { delivered: false, error: outcome.error, durationMs };
}
