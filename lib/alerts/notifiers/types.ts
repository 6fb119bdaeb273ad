import type { DeliveryOutcome } from '../backoff';
import type { Resolve } from '../target-guard';
import type { AlertState, RuleKind, Subject } from '../types';

export type MessageEvent = 'firing' | 'resolved' | 'test';

// What every channel is told about one alert; each notifier renders it in its receiver's format.
export type AlertMessage = {
  event: MessageEvent;
  deliveryId: string;
  sentAt: string;
  // The human sentence (exact durations, times in `timeZone`); the fields below are the same facts for machines.
  text: string;
  timeZone: string;
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
    // The condition's own span (exact, from the facts), apart from how long the alert was open.
    conditionSince: string;
    conditionEndedAt: string | null;
    conditionSeconds: number | null;
    alertSeconds: number | null;
    endedBy: string | null;
  };
  // Every alert of the group this message stands for (the first is `alert`); null for a test.
  group: { by: string[]; labels: Record<string, string>; alerts: Array<AlertMessage['alert'] & { text: string; link: string | null }> } | null;
  // `lease`: the lease page at the moment the condition began (needs LEASETRAIL_PUBLIC_URL).
  links: { lease: string | null; runbook: string | null };
  rule: { id: number; name: string; kind: RuleKind; description: string; forSeconds: number; quietSeconds: number };
};

export type SendContext = { timeoutMs: number; signal?: AbortSignal; resolve?: Resolve; now: number };

// One module per channel behind one contract (openstatus' shape): the worker never knows which it talks to.
export type Notifier<Config> = {
  sendAlert(config: Config, message: AlertMessage, context: SendContext): Promise<DeliveryOutcome>;
  sendRecovery(config: Config, message: AlertMessage, context: SendContext): Promise<DeliveryOutcome>;
  sendTest(config: Config, message: AlertMessage, context: SendContext): Promise<DeliveryOutcome>;
};
