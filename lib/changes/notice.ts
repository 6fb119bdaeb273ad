// The change notice: sent by the writer with NOTIFY in the transaction that stores a batch, relayed by
// /api/stream as server-sent events, read by the browser to refetch what it names. One contract, one
// module, imported on both sides (it has no server-only dependency).
export const changesChannel = 'leasetrail_changes';

export type ChangeNotice = {
  cluster: string;
  // "namespace/name" of the leases the batch touched; absent when there were too many to name.
  leases?: string[];
  transitions?: number;
  renewals?: number;
  // The cluster's watch state changed.
  status?: boolean;
};

// `resync`: notices may have been missed (the relay reconnected); everything is refetched.
export type ChangeEvent = ({ type: 'change' } & ChangeNotice) | { type: 'resync' };
