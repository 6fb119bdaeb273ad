import type { LeaseKey } from '../leases';
import { deriveWindowStartState, type WindowStartState } from '../timeline/window-start';
import type { Store } from './client';
import { epochMs } from './epoch-ms';
import { type Sql, sql } from './sql';
import { leaseIdOf } from './lease-id';

type Row = { leaseId: number; firstSeenAt: number; kind: string | null; at: number | null; toHolder: string | null };

// The state of each lease at `at`, read from its last transition before `at`: one index probe per lease
// on ("leaseId", at, id). The lease page, the fleet timeline and the read API all start from this.
export async function listWindowStartStates(store: Store, leaseIds: readonly number[], at: Date): Promise<Map<number, WindowStartState>> {
  if (leaseIds.length === 0) return new Map();
  return queryStates(store, sql`l.id = ANY(${[...leaseIds]}::int[])`, at);
}

// One lease by its key; undefined when it does not exist.
export async function getWindowStartState(store: Store, key: LeaseKey, at: Date): Promise<WindowStartState | undefined> {
  const states = await queryStates(store, sql`l.id = ${leaseIdOf(key)}`, at);
  return states.values().next().value;
}

async function queryStates(store: Store, where: Sql, at: Date): Promise<Map<number, WindowStartState>> {
  const query = sql`
    SELECT l.id AS "leaseId", ${epochMs(sql`l."createdAt"`)} AS "firstSeenAt", t.kind, ${epochMs(sql`t.at`)} AS at, t."toHolder"
      FROM "Lease" l
      LEFT JOIN LATERAL (
        SELECT kind::text AS kind, at, "toHolder" FROM "Transition"
         WHERE "leaseId" = l.id AND at < ${at}::timestamptz
         ORDER BY at DESC, id DESC LIMIT 1
      ) t ON true
     WHERE ${where}`;
  const { rows } = await store.pool.query<Row>(query.text, query.values);
  const from = at.getTime();
  return new Map(
    rows.map((row) => [
      row.leaseId,
      deriveWindowStartState({
        from,
        firstSeenAt: Number(row.firstSeenAt),
        lastBefore: row.kind === null ? null : { kind: row.kind, at: Number(row.at), toHolder: row.toHolder },
      }),
    ]),
  );
}
