import type pg from 'pg';
import { changesChannel, type ChangeNotice } from '../changes/notice';
import type { ClusterState } from './generated/prisma/enums';

export type ClusterStateWrite = { cluster: string; state: ClusterState; reason: string | null; attempt: number; nextRetryAt: Date | null; connectedAt: Date | null };

// The watch state of a cluster, written on the owner's session, with a change notice for open pages.
export async function recordClusterState(client: pg.ClientBase, write: ClusterStateWrite): Promise<void> {
  const notice: ChangeNotice = { cluster: write.cluster, status: true };
  await client.query(
    `WITH updated AS (
       UPDATE "Cluster" SET state = $2, "stateReason" = $3, attempt = $4, "nextRetryAt" = $5,
              "connectedAt" = COALESCE($6, "connectedAt"), "updatedAt" = now() WHERE name = $1 RETURNING name
     )
     SELECT pg_notify($7, $8) FROM updated`,
    [write.cluster, write.state, write.reason, write.attempt, write.nextRetryAt, write.connectedAt, changesChannel, JSON.stringify(notice)],
  );
}
