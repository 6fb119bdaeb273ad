import { numericIdParams } from '@/lib/api/alert-schemas';
import { respondJson } from '@/lib/api/respond';
import { toApiTokenDto } from '@/lib/api/token-dto';
import { defineRoute } from '@/lib/http/define-route';
import { revokeApiToken } from '@/lib/store/api-tokens';
import { recordAuditEntry } from '@/lib/store/audit-log';
import { getStore } from '@/lib/store/client';

export const dynamic = 'force-dynamic';

// Revoked, not deleted: the list keeps showing who had which token until when.
export const DELETE = defineRoute<{ id: string }>({ access: 'admin' }, async ({ params, identity }) => {
  const { id } = numericIdParams.parse(params);
  const store = getStore();
  const record = await revokeApiToken(store, id, new Date());
  await recordAuditEntry(store, { actor: identity.name, action: 'revoke', targetKind: 'token', targetId: String(id), detail: { name: record.name, role: record.role } });
  return respondJson({ apiToken: toApiTokenDto(record) });
});
