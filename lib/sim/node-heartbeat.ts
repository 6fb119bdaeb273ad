import { ApiException, CoordinationV1Api, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import type { Logger } from '../log';
import { AbortedError, type Clock } from './clock';
import { jitterDuration, PreciseMicroTime } from './election-record';
import { nodeHeartbeat } from './profiles';

export type NodeHeartbeatOptions = {
  kubeConfig: KubeConfig;
  nodeName: string;
  nodeUid: string;
  clock: Clock;
  random: () => number;
  logger: Logger;
  renewIntervalMs?: number;
};

/** kubelet's node lease controller: renew the cached Lease; on any failure, fall back to GET or create. */
export class NodeHeartbeat {
  private readonly api: CoordinationV1Api;
  private readonly stopping = new AbortController();
  private latest: V1Lease | undefined;
  private running: Promise<void> | undefined;
  private stalledUntil = 0;

  constructor(private readonly options: NodeHeartbeatOptions) {
    this.api = options.kubeConfig.makeApiClient(CoordinationV1Api);
  }

  start(): void {
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
  }

  /** Renewals stop for a while (kubelet cut off from the API server), then resume on the next tick. */
  stallFor(ms: number): void {
    this.stalledUntil = Math.max(this.stalledUntil, this.options.clock.now() + ms);
  }

  private async run(): Promise<void> {
    const interval = this.options.renewIntervalMs ?? nodeHeartbeat.renewIntervalMs;
    try {
      for (;;) {
        if (this.options.clock.now() >= this.stalledUntil) await this.sync();
        await this.options.clock.sleep(jitterDuration(interval, nodeHeartbeat.jitterFactor, this.options.random), this.stopping.signal);
      }
    } catch (error) {
      if (!(error instanceof AbortedError)) this.options.logger.error({ err: error }, 'node heartbeat failed');
    }
  }

  private renewed(lease: V1Lease): V1Lease {
    return { ...lease, spec: { ...lease.spec, renewTime: new PreciseMicroTime(this.options.clock.now()) } };
  }

  private async sync(): Promise<void> {
    const namespace = 'kube-node-lease';
    const name = this.options.nodeName;
    try {
      if (this.latest) {
        try {
          this.latest = await this.api.replaceNamespacedLease({ name, namespace, body: this.renewed(this.latest) });
          return;
        } catch (error) {
          this.options.logger.debug({ node: name, err: (error as Error).message }, 'failed to update lease using latest lease, fallback to ensure lease');
        }
      }
      let lease: V1Lease;
      try {
        lease = await this.api.readNamespacedLease({ name, namespace });
      } catch (error) {
        if (!(error instanceof ApiException && error.code === 404)) throw error;
        this.latest = await this.api.createNamespacedLease({
          namespace,
          body: {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name, namespace, ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: this.options.nodeUid }] },
            spec: { holderIdentity: name, leaseDurationSeconds: nodeHeartbeat.leaseDurationSeconds, renewTime: new PreciseMicroTime(this.options.clock.now()) },
          },
        });
        return;
      }
      this.latest = await this.api.replaceNamespacedLease({ name, namespace, body: this.renewed(lease) });
    } catch (error) {
      this.latest = undefined;
      this.options.logger.debug({ node: name, err: (error as Error).message }, 'failed to ensure node lease exists');
    }
  }
}
