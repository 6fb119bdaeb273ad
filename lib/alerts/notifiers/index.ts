import type { DeliveryOutcome } from '../backoff';
import type { ChannelDefinition } from '../channel-config';
import { alertmanagerNotifier } from './alertmanager';
import { slackNotifier } from './slack';
import type { AlertMessage, SendContext } from './types';
import { webhookNotifier } from './webhook';

export type { AlertMessage, MessageEvent, Notifier, SendContext } from './types';

export function sendMessage(channel: ChannelDefinition, message: AlertMessage, context: SendContext): Promise<DeliveryOutcome> {
  const verb = message.event === 'firing' ? 'sendAlert' : message.event === 'resolved' ? 'sendRecovery' : 'sendTest';
  switch (channel.kind) {
    case 'webhook':
      return webhookNotifier[verb](channel.config, message, context);
    case 'slack':
      return slackNotifier[verb](channel.config, message, context);
    case 'alertmanager':
      return alertmanagerNotifier[verb](channel.config, message, context);
  }
}
