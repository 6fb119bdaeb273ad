import { createHash, randomBytes } from 'node:crypto';
import type { Role } from '../auth/roles';
import { NotFoundError } from '../errors';
import type { Store } from './client';

export type ApiTokenRecord = { id: number; name: string; prefix: string; role: Role; createdBy: string; createdAt: Date; expiresAt: Date; lastUsedAt: Date | null; revokedAt: Date | null };

export type CreatedApiToken = { record: ApiTokenRecord; token: string };

export type TokenMatch = { id: number; name: string; role: Role };

const tokenPrefix = 'lt_';
// Writing lastUsedAt on every call would turn each read into a write; a minute is precise enough.
const lastUsedResolutionMs = 60_000;

// The token has 256 random bits, so a plain SHA-256 is enough to make the stored hash useless to a thief.
export function hashApiToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function isApiTokenShaped(value: string): boolean {
  return value.startsWith(tokenPrefix) && value.length < 200;
}

const select = { id: true, name: true, prefix: true, role: true, createdBy: true, createdAt: true, expiresAt: true, lastUsedAt: true, revokedAt: true } as const;

export async function createApiToken(store: Store, input: { name: string; role: Role; expiresAt: Date; createdBy: string }): Promise<CreatedApiToken> {
  const token = `${tokenPrefix}${randomBytes(32).toString('base64url')}`;
  const record = await store.prisma.apiToken.create({
    data: { name: input.name, role: input.role, expiresAt: input.expiresAt, createdBy: input.createdBy, tokenHash: hashApiToken(token), prefix: token.slice(0, 10) },
    select,
  });
  return { record, token };
}

export async function listApiTokens(store: Store): Promise<ApiTokenRecord[]> {
  return store.prisma.apiToken.findMany({ select, orderBy: { id: 'desc' } });
}

export async function revokeApiToken(store: Store, id: number, now: Date): Promise<ApiTokenRecord> {
  const { count } = await store.prisma.apiToken.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: now } });
  const record = await store.prisma.apiToken.findUnique({ where: { id }, select });
  if (!record) throw new NotFoundError(`API token ${id} not found`);
  if (count === 0 && record.revokedAt === null) throw new NotFoundError(`API token ${id} not found`);
  return record;
}

// A live token's identity, or null for an unknown, expired or revoked one.
export async function findLiveApiToken(store: Store, token: string, now: Date): Promise<TokenMatch | null> {
  const row = await store.prisma.apiToken.findUnique({ where: { tokenHash: hashApiToken(token) }, select: { id: true, name: true, role: true, expiresAt: true, revokedAt: true, lastUsedAt: true } });
  if (!row || row.revokedAt !== null || row.expiresAt <= now) return null;
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= lastUsedResolutionMs) {
    await store.prisma.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: now } });
  }
  return { id: row.id, name: row.name, role: row.role };
}
