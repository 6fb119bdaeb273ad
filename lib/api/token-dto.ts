import type { ApiTokenRecord } from '../store/api-tokens';

export type ApiTokenDto = { id: number; name: string; prefix: string; role: string; createdBy: string; createdAt: string; expiresAt: string; lastUsedAt: string | null; revokedAt: string | null };

export function toApiTokenDto(record: ApiTokenRecord): ApiTokenDto {
  return {
    id: record.id,
    name: record.name,
    prefix: record.prefix,
    role: record.role,
    createdBy: record.createdBy,
    createdAt: record.createdAt.toISOString(),
    expiresAt: record.expiresAt.toISOString(),
    lastUsedAt: record.lastUsedAt?.toISOString() ?? null,
    revokedAt: record.revokedAt?.toISOString() ?? null,
  };
}
