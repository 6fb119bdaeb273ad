import { sql } from './sql';
import type { Prisma } from './generated/prisma/client';

type Db = Prisma.TransactionClient;

export type RollupJobName = 'renewals' | 'timelines';

export type RollupProgress = { rolledUntil: Date; transitionId: bigint | null };

export async function readProgress(db: Db, job: RollupJobName): Promise<RollupProgress | null> {
  const [row] = await db.$queryRaw<RollupProgress[]>(sql`SELECT "rolledUntil", "transitionId" FROM "RollupProgress" WHERE job = ${job}`);
  return row ?? null;
}

export async function saveProgress(db: Db, job: RollupJobName, rolledUntil: Date, transitionId: bigint | null = null): Promise<void> {
  await db.$executeRaw(sql`
    INSERT INTO "RollupProgress" (job, "rolledUntil", "transitionId", "updatedAt") VALUES (${job}, ${rolledUntil}::timestamptz, ${transitionId}::bigint, now())
    ON CONFLICT (job) DO UPDATE SET "rolledUntil" = GREATEST("RollupProgress"."rolledUntil", EXCLUDED."rolledUntil"),
                                    "transitionId" = GREATEST("RollupProgress"."transitionId", EXCLUDED."transitionId"), "updatedAt" = now()`);
}
