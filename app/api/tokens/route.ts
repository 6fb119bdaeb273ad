import { z } from 'zod';
import { parseJsonBody } from '@/lib/api/body';
import { parseQuery } from '@/lib/api/query';
import { respondJson } from '@/lib/api/respond';
import { noQuery } from '@/lib/api/schemas';
import { toApiTokenDto } from '@/lib/api/token-dto';
import { roles } from '@/lib/auth/roles';
import { defineRoute } from '@/lib/http/define-route';
import { createApiToken, listApiTokens } from '@/lib/store/api-tokens';
import { recordAuditEntry } from '@/lib/store/audit-log';
import { getStore } from '@/lib/store/client';

export const dynamic = 'force-dynamic';

const tokenBody = z.strictObject({
  name: z.string({ error: 'name is required' }).trim().min(1, 'name must not be empty').max(100, 'name must be at most 100 characters'),
  role: z.enum(roles, { error: `role must be one of ${roles.join(', ')}` }),
  expiresInDays: z.number({ error: 'expiresInDays must be a whole number from 1 to 730' }).int('expiresInDays must be a whole number from 1 to 730').min(1, 'expiresInDays must be a whole number from 1 to 730').max(730, 'expiresInDays must be a whole number from 1 to 730'),
});

export const GET = defineRoute({ access: 'admin' }, async ({ request }) => {
  parseQuery(request, noQuery);
  return respondJson({ tokens: (await listApiTokens(getStore())).map(toApiTokenDto) });
});

// The token is in this answer and nowhere else: only its hash is stored.
export const POST = defineRoute({ access: 'admin' }, async ({ request, identity }) => {
  const body = await parseJsonBody(request, tokenBody, '{"name":"grafana","role":"viewer","expiresInDays":90}');
  const store = getStore();
  const expiresAt = new Date(Date.now() + body.expiresInDays * 86_400_000);
  const { record, token } = await createApiToken(store, { name: body.name, role: body.role, expiresAt, createdBy: identity.name });
  await recordAuditEntry(store, { actor: identity.name, action: 'create', targetKind: 'token', targetId: String(record.id), detail: { name: record.name, role: record.role, expiresAt: expiresAt.toISOString() } });
  return Response.json({ token, apiToken: toApiTokenDto(record) }, { status: 201, headers: { 'cache-control': 'no-store' } });
});
