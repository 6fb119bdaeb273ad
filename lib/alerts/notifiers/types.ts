import type { DeliveryOutcome } from '../backoff';
import type { Resolve } from '../target-guard';
import type { AlertState, RuleKind, Subject } from '../types';

export type MessageEvent = 'firing' | 'resolved' | 'test';

// What every channel is told about one alert; each notifier renders it in its receiver's format.
export type AlertMessage = {
  event: MessageEvent;
  deliveryId: string;
  sentAt: string;
  alert: {
    id: string;
    state: AlertState;
    subject: Subject;
    subjectKey: string;
    summary: string;
    value: number | null;
    startedAt: string;
    firingAt: string | null;
    resolvedAt: string | null;
  };
  rule: { id: number; name: string; kind: RuleKind; description: string; forSeconds: number; quietSeconds: number };
};

export type SendContext = { timeoutMs: number; signal?: AbortSignal; resolve?: Resolve; now: number };

// One module per channel behind one contract (openstatus' shape): the worker never knows which it talks to.
export type Notifier<Config> = {
  sendAlert(config: Config, message: AlertMessage, context: SendContext): Promise<DeliveryOutcome>;
  sendRecovery(config: Config, message: AlertMessage, context: SendContext): Promise<DeliveryOutcome>;
  sendTest(config: Config, message: AlertMessage, context: SendContext): Promise<DeliveryOutcome>;
};
