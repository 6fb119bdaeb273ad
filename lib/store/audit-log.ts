import type { Store } from './client';
import type { Prisma } from './generated/prisma/client';

export type AuditTargetKind = 'rule' | 'channel' | 'token' | 'silence' | 'slo';

export type AuditInput = { actor: string; action: 'create' | 'update' | 'delete' | 'revoke'; targetKind: AuditTargetKind; targetId: string; detail: Record<string, unknown> };

export type AuditEntryRecord = AuditInput & { id: bigint; at: Date };

export async function recordAuditEntry(store: Store, input: AuditInput): Promise<void> {
  await store.prisma.auditEntry.create({ data: { ...input, detail: input.detail as Prisma.InputJsonObject } });
}

export async function listAuditEntries(store: Store, input: { limit: number; before?: bigint }): Promise<AuditEntryRecord[]> {
  const rows = await store.prisma.auditEntry.findMany({
    where: input.before === undefined ? {} : { id: { lt: input.before } },
    orderBy: { id: 'desc' },
    take: input.limit,
  });
  return rows.map((row) => ({ ...row, action: row.action as AuditInput['action'], targetKind: row.targetKind as AuditTargetKind, detail: row.detail as Record<string, unknown> }));
}

// What an update changed, field by field, with credentials shown only as "changed".
export function diffFields(before: Record<string, unknown>, after: Record<string, unknown>, secret: readonly string[] = []): Record<string, { from: unknown; to: unknown }> {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (JSON.stringify(before[key]) === JSON.stringify(after[key])) continue;
    changes[key] = secret.includes(key) ? { from: '(secret)', to: '(secret, changed)' } : { from: before[key] ?? null, to: after[key] ?? null };
  }
  return changes;
}
