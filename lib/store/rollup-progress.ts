import { execute, queryRow, type Queryable } from './pg-store';
import { sql } from './sql';

export type RollupJobName = 'renewals' | 'timelines';

export type RollupProgress = { rolledUntil: Date; transitionId: bigint | null };

export async function readProgress(db: Queryable, job: RollupJobName): Promise<RollupProgress | null> {
  return (await queryRow<RollupProgress>(db, sql`SELECT "rolledUntil", "transitionId" FROM "RollupProgress" WHERE job = ${job}`)) ?? null;
}

export async function saveProgress(db: Queryable, job: RollupJobName, rolledUntil: Date, transitionId: bigint | null = null): Promise<void> {
  await execute(
    db,
    sql`
    INSERT INTO "RollupProgress" (job, "rolledUntil", "transitionId", "updatedAt") VALUES (${job}, ${rolledUntil}::timestamptz, ${transitionId}::bigint, now())
    ON CONFLICT (job) DO UPDATE SET "rolledUntil" = GREATEST("RollupProgress"."rolledUntil", EXCLUDED."rolledUntil"),
                                    "transitionId" = GREATEST("RollupProgress"."transitionId", EXCLUDED."transitionId"), "updatedAt" = now()`,
  );
}
