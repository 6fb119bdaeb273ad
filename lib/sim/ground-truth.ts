import type { AcquireCause } from './elector';
import type { Lease } from './k8s-types';
import type { ChaosOperation } from './chaos';

/** Every write one simulated API server accepted, in the order it accepted them. */
export type AcceptedWrite = {
  cluster: string;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  namespace: string;
  name: string;
  resourceVersion: string;
  object: Lease;
  at: number;
};

/** A change of holder an elector caused, with the cause as that elector knew it. */
export type LeadershipChange = {
  cluster: string;
  namespace: string;
  name: string;
  from: string;
  to: string;
  cause: AcquireCause | 'released';
  leaseTransitions: number;
  resourceVersion: string;
  at: number;
};

/** When an elector started or stopped believing it leads (client-go's OnStartedLeading / OnStoppedLeading). */
export type LeadershipBelief = {
  cluster: string;
  namespace: string;
  name: string;
  identity: string;
  type: 'started-leading' | 'stopped-leading';
  reason?: string;
  at: number;
  monotonic: number;
};

export type ChaosRecord = { at: number; operation: ChaosOperation; identity?: string };

export type LeaseFilter = { cluster?: string; namespace?: string; name?: string };

function matches(filter: LeaseFilter | undefined, entry: { cluster: string; namespace?: string; name?: string }): boolean {
  if (!filter) return true;
  return (
    (filter.cluster === undefined || filter.cluster === entry.cluster) &&
    (filter.namespace === undefined || filter.namespace === entry.namespace) &&
    (filter.name === undefined || filter.name === entry.name)
  );
}

/** What really happened in the fleet, kept apart from lib/leases so Leasetrail's derivation can be checked against it. */
export class GroundTruth {
  private readonly acceptedWrites: AcceptedWrite[] = [];
  private readonly leadershipChanges: LeadershipChange[] = [];
  private readonly leadershipBeliefs: LeadershipBelief[] = [];
  private readonly chaosRecords: ChaosRecord[] = [];
  private dropped = 0;

  constructor(private readonly maxWrites = 200_000) {}

  /** Oldest writes are forgotten past maxWrites; this says how many. */
  get droppedWrites(): number {
    return this.dropped;
  }

  writes(filter?: LeaseFilter): AcceptedWrite[] {
    return this.acceptedWrites.filter((entry) => matches(filter, entry));
  }

  changes(filter?: LeaseFilter): LeadershipChange[] {
    return this.leadershipChanges.filter((entry) => matches(filter, entry));
  }

  beliefs(filter?: LeaseFilter): LeadershipBelief[] {
    return this.leadershipBeliefs.filter((entry) => matches(filter, entry));
  }

  chaos(): ChaosRecord[] {
    return [...this.chaosRecords];
  }

  recordWrite(write: AcceptedWrite): void {
    this.acceptedWrites.push(write);
    if (this.acceptedWrites.length > this.maxWrites) {
      this.acceptedWrites.shift();
      this.dropped++;
    }
  }

  recordChange(change: LeadershipChange): void {
    this.leadershipChanges.push(change);
  }

  recordBelief(belief: LeadershipBelief): void {
    this.leadershipBeliefs.push(belief);
  }

  recordChaos(record: ChaosRecord): void {
    this.chaosRecords.push(record);
  }
}
