import type pg from 'pg';
import { leaseKeyString, stateFromStored, type LeaseState, type StoredLease } from '../leases';
import { seenAtOf } from './renew-sample-sql';

export type ClusterLeaseStates = { states: Map<string, LeaseState>; leaseIds: Map<string, number> };

// Renewals do not rewrite the lease row (see isRenewalOnlyChange): the newest renew sample, when it is
// newer than the row, carries the lease's last renewTime and when it last changed.
export async function loadClusterLeaseStates(client: pg.ClientBase, cluster: { id: number; name: string }): Promise<ClusterLeaseStates> {
  const { rows } = await client.query<StoredLease & { id: number; namespace: string; name: string }>(
    `SELECT l.id, l.namespace, l.name, l.kind, l.uid, l."resourceVersion", l."holderIdentity", l."leaseDurationSeconds", l."acquireTime",
            GREATEST(l."renewTime", s."renewTime") AS "renewTime", l."leaseTransitions", l.strategy, l."preferredHolder", l.labels,
            GREATEST(l."observedAt", s."seenAt") AS "observedAt", l."holderSince", l."lastCause", l."skewSuspectedMs", l."deletedAt"
       FROM "Lease" l
       LEFT JOIN LATERAL (
         SELECT "renewTime", ${seenAtOf()} AS "seenAt" FROM "RenewSample" WHERE "leaseId" = l.id ORDER BY "renewTime" DESC LIMIT 1
       ) s ON true
      WHERE l."clusterId" = $1`,
    [cluster.id],
  );
  return {
    states: new Map(rows.map((row) => [leaseKeyString(row), stateFromStored({ cluster: cluster.name, namespace: row.namespace, name: row.name }, row)])),
    leaseIds: new Map(rows.map((row) => [leaseKeyString(row), row.id])),
  };
}
