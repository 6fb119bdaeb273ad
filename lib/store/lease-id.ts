import type { LeaseKey } from '../leases';
import { type Sql, sql } from './sql';

// The lease's id as a subquery, so a hot read finds the lease and its rows in one round trip; callers
// that find nothing ask getLeaseOrThrow whether the lease exists at all, for the right 404.
export function leaseIdOf(key: LeaseKey): Sql {
  return sql`(SELECT l.id FROM "Lease" l JOIN "Cluster" c ON c.id = l."clusterId" WHERE c.name = ${key.cluster} AND l.namespace = ${key.namespace} AND l.name = ${key.name})`;
}
