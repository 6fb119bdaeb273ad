import type { KubeConfig } from '@kubernetes/client-node';
import { afterEach, beforeEach } from 'vitest';
import type { LeaseApiServer } from '@/lib/sim/api-server';
import { LeaderElector, type ElectorEvent, type ElectorOptions } from '@/lib/sim/elector';
import { formatTime, parseMicroTime } from '@/lib/sim/micro-time';
import { startApiServer, waitFor } from './support';

// Whole seconds, as a Lease stores them; RetryPeriod + RenewDeadline stays under LeaseDuration − 1 s because
// client-go compares records at one-second resolution.
export const timings = { leaseDurationMs: 2_000, renewDeadlineMs: 700, retryPeriodMs: 150 };
export const maxJitteredWait = timings.retryPeriodMs * 2.2;
export const slackMs = 150;

export type Write = { at: number; holder: string; transitions: number; renewTime: string; resourceVersion: string };
export type Seen = ElectorEvent & { monotonic: number };

/** One API server and the electors of the current test, with every accepted write and elector event. */
export const state = {} as { server: LeaseApiServer; kubeConfig: KubeConfig; writes: Write[]; events: Seen[]; electors: LeaderElector[] };

export function registerElectorHarness(): void {
  beforeEach(async () => {
    const { server, kubeConfig } = await startApiServer();
    Object.assign(state, { server, kubeConfig, writes: [], events: [], electors: [] });
    server.onWrite((event) =>
      state.writes.push({
        at: performance.now(),
        holder: event.object.spec.holderIdentity ?? '',
        transitions: event.object.spec.leaseTransitions ?? 0,
        renewTime: event.object.spec.renewTime ?? '',
        resourceVersion: event.object.metadata.resourceVersion,
      }),
    );
  });

  afterEach(async () => {
    await Promise.all(state.electors.map((elector) => elector.crash()));
    await state.server.stop();
  });
}

export function startElector(identity: string, options: Partial<ElectorOptions> = {}): LeaderElector {
  const elector = new LeaderElector({
    kubeConfig: state.kubeConfig,
    namespace: 'kube-system',
    name: 'kube-scheduler',
    identity,
    ...timings,
    onEvent: (event) => state.events.push({ ...event, monotonic: performance.now() }),
    ...options,
  });
  state.electors.push(elector);
  void elector.start();
  return elector;
}

export function believers(): LeaderElector[] {
  return state.electors.filter((elector) => elector.isLeader);
}

export async function waitForLeader(except?: LeaderElector): Promise<LeaderElector> {
  return waitFor(() => believers().find((elector) => elector !== except), 10_000, 'a leader');
}

export function acquisitions(): Array<Extract<Seen, { type: 'acquired' }>> {
  return state.events.filter((event): event is Extract<Seen, { type: 'acquired' }> => event.type === 'acquired');
}

/** The write at which the record last changed as client-go compares it: renewTime at whole seconds. */
export function lastRecordChange(holder: string): Write {
  const own = state.writes.filter((write) => write.holder === holder);
  const last = own.at(-1)!;
  const second = (write: Write) => formatTime(parseMicroTime(write.renewTime)!);
  return own.find((write) => second(write) === second(last))!;
}

