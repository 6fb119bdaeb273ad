import { ConflictError, NotFoundError } from '../errors';
import type { Store } from './client';
import type { Slo } from './generated/prisma/client';
import { isUniqueViolation, queryRow, type PgStore } from './pg-store';
import { sql } from './sql';

export type SloWrite = { name: string; clusterPattern: string; namespacePattern: string; leasePattern: string; labelSelector: string; targetPercent: number; windowDays: number };

export type SloRecord = Slo;

export async function listSlos(store: Store): Promise<SloRecord[]> {
  return store.prisma.slo.findMany({ orderBy: { name: 'asc' } });
}

export async function getSloOrThrow(store: PgStore, id: number): Promise<SloRecord> {
  const slo = await queryRow<Slo>(store.pool, sql`SELECT * FROM "Slo" WHERE id = ${id}::int`);
  if (!slo) throw new NotFoundError(`SLO ${id} not found`);
  return slo;
}

export async function createSlo(store: Store, input: SloWrite & { createdBy: string }): Promise<SloRecord> {
  try {
    return await store.prisma.slo.create({ data: input });
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(`an SLO named "${input.name}" already exists`);
    throw error;
  }
}

export async function updateSlo(store: Store, id: number, input: SloWrite): Promise<SloRecord> {
  await getSloOrThrow(store, id);
  try {
    return await store.prisma.slo.update({ where: { id }, data: input });
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(`an SLO named "${input.name}" already exists`);
    throw error;
  }
}

// Refused while an slo_burn rule names the SLO (the rule would judge nothing): delete or change the rule first.
// The row lock orders this after any rule write that is checking the SLO exists.
export async function deleteSlo(store: Store, id: number): Promise<void> {
  await store.prisma.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<Array<{ id: number }>>(sql`SELECT id FROM "Slo" WHERE id = ${id}::int FOR UPDATE`);
    if (locked.length === 0) throw new NotFoundError(`SLO ${id} not found`);
    const rules = await tx.$queryRaw<Array<{ name: string }>>(sql`
      SELECT name FROM "AlertRule" WHERE kind = 'slo_burn' AND params->>'sloId' = ${String(id)} ORDER BY name`);
    if (rules.length > 0) throw new ConflictError(`SLO ${id} is used by alert rule${rules.length === 1 ? '' : 's'} ${rules.map((rule) => `"${rule.name}"`).join(', ')}; delete or change ${rules.length === 1 ? 'it' : 'them'} first`);
    await tx.slo.delete({ where: { id } });
  });
}
