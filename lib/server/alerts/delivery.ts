import { openChannelConfig } from '../../store/channel-secrets';
import type { Logger } from '../../log';
import type { PgStore } from '../../store/pg-store';
import { claimNotifications, listDeliveredFiring, recordDelivery, type ClaimedNotification, type DeliveryResult } from '../../store/channels';
import { listRepeatDueGroups, markGroupRepeated, recordGroupSent } from '../../store/notification-groups';
import { defaultDeliveryBackoff, retryDelayMs, type Backoff, type DeliveryOutcome } from '../../alerts/backoff';
import { parseChannelDefinition } from '../../alerts/channel-config';
import { buildAlertMessage, utcContext, type MessageContext } from '../../alerts/message';
import { sendMessage } from '../../alerts/notifiers';
import { alertmanagerResendMs } from '../../alerts/notifiers/alertmanager';
import type { Resolve } from '../../alerts/target-guard';

export type Clock = { now(): number };

export type DeliveryWorkerOptions = {
  store: PgStore;
  log: Logger;
  clock?: Clock;
  pollMs?: number;
  // How many channels are delivered to at once (one notification per channel at a time).
  concurrency?: number;
  maxAttempts?: number;
  backoff?: Backoff;
  timeoutMs?: number;
  alertmanagerResendMs?: number | null;
  // How often groups are checked for a due repeat_interval.
  repeatCheckMs?: number;
  resolve?: Resolve;
  random?: () => number;
  messageContext?: MessageContext;
};

// Sends queued notifications with retries and backoff, driven by Notification.nextAttemptAt. It runs
// beside ingest, never in its path: a receiver that hangs or fails costs this worker one slot, and
// the controller never waits for it.
export class DeliveryWorker {
  private readonly clock: Clock;
  private readonly abort = new AbortController();
  private readonly busy = new Map<number, Promise<void>>();
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private isWoken = false;
  private lastResendAt = 0;
  private resending: Promise<void> | undefined;
  private readonly repeatRetryAt = new Map<number, number>();
  private lastRepeatCheckAt = -Infinity;

  constructor(private readonly options: DeliveryWorkerOptions) {
    this.clock = options.clock ?? { now: Date.now };
  }

  start(signal?: AbortSignal): void {
    if (this.loop) return;
    signal?.addEventListener('abort', () => void this.stop(), { once: true });
    this.lastResendAt = this.clock.now();
    this.loop = this.run();
  }

  wake(): void {
    this.isWoken = true;
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.wakeUp?.();
    await this.loop;
    await Promise.all([...this.busy.values(), this.resending]);
  }

  private get timeoutMs(): number {
    return this.options.timeoutMs ?? 10_000;
  }

  private async run(): Promise<void> {
    const { log } = this.options;
    let failures = 0;
    while (!this.abort.signal.aborted) {
      this.isWoken = false;
      let delayMs = this.options.pollMs ?? 1_000;
      try {
        await this.claimAndSend();
        this.resending ??= Promise.all([this.resendFiringToAlertmanager(), this.repeatGroups()]).then(
          () => undefined,
          () => undefined,
        ).finally(() => (this.resending = undefined));
        failures = 0;
      } catch (error) {
        failures += 1;
        delayMs = Math.min(30_000, 500 * 2 ** Math.min(failures, 6));
        log.warn({ err: (error as Error).message, failures }, 'notification delivery: cannot reach PostgreSQL; will retry');
      }
      if (this.isWoken || this.abort.signal.aborted) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, delayMs);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.wakeUp = done;
      });
      this.wakeUp = undefined;
    }
  }

  private async claimAndSend(): Promise<void> {
    const free = (this.options.concurrency ?? 8) - this.busy.size;
    if (free <= 0) return;
    const now = this.clock.now();
    const claimed = await claimNotifications(this.options.store, {
      now: new Date(now),
      claimUntil: new Date(now + this.timeoutMs + 30_000),
      limit: free,
      busyChannelIds: [...this.busy.keys()],
    });
    for (const notification of claimed) {
      const sending = this.deliver(notification)
        .catch((error: unknown) => this.options.log.error({ err: error, notification: notification.id.toString() }, 'recording a delivery failed; the claim expires and it is retried'))
        .finally(() => {
          this.busy.delete(notification.channel.id);
          this.wake();
        });
      this.busy.set(notification.channel.id, sending);
    }
  }

  private async deliver(notification: ClaimedNotification): Promise<void> {
    const { store, log } = this.options;
    const result = await this.attempt(notification);
    const now = this.clock.now();
    for (const id of [notification.id, ...notification.members.map((member) => member.id)]) await recordDelivery(store, id, result, new Date(now));
    if (result.status === 'delivered') await recordGroupSent(store, { channelId: notification.channel.id, event: notification.event, alert: notification.alert, at: new Date(now) });
    const fields = { channel: notification.channel.name, alert: notification.alert.id.toString(), members: notification.members.length, event: notification.event, attempt: notification.attempts };
    if (result.status === 'delivered') log.info(fields, 'notification delivered');
    else if (result.status === 'pending') log.warn({ ...fields, err: result.error, retryAt: result.nextAttemptAt.toISOString() }, 'notification failed; will retry');
    else log.error({ ...fields, err: result.error }, 'notification failed for good');
  }

  private async attempt(notification: ClaimedNotification): Promise<DeliveryResult> {
    if (!notification.channel.enabled) return { status: 'failed', error: 'channel disabled before delivery' };
    let definition;
    try {
      definition = parseChannelDefinition(notification.channel.kind, openChannelConfig(notification.channel.kind, notification.channel.config));
    } catch (error) {
      return { status: 'failed', error: `channel configuration invalid: ${(error as Error).message}` };
    }
    const now = this.clock.now();
    const message = buildAlertMessage(
      notification.alert,
      notification.event,
      notification.id.toString(),
      now,
      this.options.messageContext ?? utcContext,
      notification.members.map((member) => member.alert),
    );
    const outcome = await sendMessage(definition, message, { timeoutMs: this.timeoutMs, signal: this.abort.signal, resolve: this.options.resolve, now });
    return this.toResult(outcome, notification.attempts);
  }

  private toResult(outcome: DeliveryOutcome, attempts: number): DeliveryResult {
    if (outcome.ok) return { status: 'delivered' };
    const maxAttempts = this.options.maxAttempts ?? 8;
    if (!outcome.isRetryable || attempts >= maxAttempts) {
      return { status: 'failed', error: attempts >= maxAttempts && outcome.isRetryable ? `${outcome.error} (gave up after ${attempts} attempts)` : outcome.error };
    }
    const delay = retryDelayMs(attempts, this.options.backoff ?? defaultDeliveryBackoff, this.options.random);
    return { status: 'pending', error: outcome.error, nextAttemptAt: new Date(this.clock.now() + delay) };
  }

  // repeat_interval: a group still firing with nothing new is sent again, listing what still fires. A
  // reminder is best effort (no Notification row): one that fails is tried again a minute later.
  private async repeatGroups(): Promise<void> {
    const now = this.clock.now();
    if (now - this.lastRepeatCheckAt < (this.options.repeatCheckMs ?? 10_000)) return;
    this.lastRepeatCheckAt = now;
    const due = await listRepeatDueGroups(this.options.store, new Date(now)).catch((error: unknown) => {
      this.options.log.warn({ err: (error as Error).message }, 'listing groups due a repeat failed');
      return [];
    });
    for (const group of due) {
      if ((this.repeatRetryAt.get(group.groupId) ?? 0) > now) continue;
      const [first, ...rest] = group.alerts;
      try {
        const definition = parseChannelDefinition(group.channel.kind, openChannelConfig(group.channel.kind, group.channel.config));
        const message = buildAlertMessage(first!, 'firing', `repeat-${group.groupId}-${now}`, now, this.options.messageContext ?? utcContext, rest);
        const outcome = await sendMessage(definition, message, { timeoutMs: this.timeoutMs, signal: this.abort.signal, resolve: this.options.resolve, now });
        if (outcome.ok) {
          this.repeatRetryAt.delete(group.groupId);
          await markGroupRepeated(this.options.store, group.groupId, new Date(this.clock.now()));
          this.options.log.info({ channel: group.channel.name, alerts: group.alerts.length }, 'group repeated');
        } else {
          this.repeatRetryAt.set(group.groupId, now + 60_000);
          this.options.log.warn({ channel: group.channel.name, err: outcome.error }, 'repeating a group failed; will retry');
        }
      } catch (error) {
        this.repeatRetryAt.set(group.groupId, now + 60_000);
        this.options.log.warn({ channel: group.channel.name, err: (error as Error).message }, 'repeating a group failed; will retry');
      }
    }
  }

  private async resendFiringToAlertmanager(): Promise<void> {
    const every = this.options.alertmanagerResendMs === undefined ? alertmanagerResendMs : this.options.alertmanagerResendMs;
    const now = this.clock.now();
    if (every === null || now - this.lastResendAt < every) return;
    this.lastResendAt = now;
    const firing = await listDeliveredFiring(this.options.store, 'alertmanager').catch((error: unknown) => {
      this.options.log.warn({ err: (error as Error).message }, 'listing firing alerts to re-send to Alertmanager failed');
      return [];
    });
    await Promise.all(
      firing.map(async (entry) => {
        try {
          const definition = parseChannelDefinition(entry.channel.kind, openChannelConfig(entry.channel.kind, entry.channel.config));
          const message = buildAlertMessage(entry.alert, 'firing', entry.notificationId.toString(), now, this.options.messageContext ?? utcContext);
          const outcome = await sendMessage(definition, message, { timeoutMs: this.timeoutMs, signal: this.abort.signal, resolve: this.options.resolve, now });
          if (!outcome.ok) this.options.log.warn({ channel: entry.channel.name, alert: entry.alert.id.toString(), err: outcome.error }, 're-sending a firing alert to Alertmanager failed');
        } catch (error) {
          this.options.log.warn({ channel: entry.channel.name, err: (error as Error).message }, 're-sending a firing alert to Alertmanager failed');
        }
      }),
    );
  }
}
