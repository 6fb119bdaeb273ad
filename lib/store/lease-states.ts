import type pg from 'pg';
import { leaseKeyString, stateFromStored, type StoredLease } from '../leases';
import { CompactLeaseStates } from '../leases/compact-state';
import { seenAtOf } from './renew-sample-sql';


// Renewals do not rewrite the lease row (see isRenewalOnlyChange): the newest renew sample, when it is
// newer than the row, carries the lease's last renewTime and when it last changed. The states come back
// compact, each with its row id.
export async function loadClusterLeaseStates(client: pg.ClientBase, cluster: { id: number; name: string }): Promise<CompactLeaseStates> {
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
  const states = new CompactLeaseStates(cluster.name);
  for (const row of rows) {
    const key = leaseKeyString(row);
    states.set(key, stateFromStored({ cluster: cluster.name, namespace: row.namespace, name: row.name }, row));
    states.setId(key, row.id);
  }
  return states;
}
