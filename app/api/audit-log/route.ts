import { z } from 'zod';
import { int8Digits } from '@/lib/api/limits';
import { parseQuery } from '@/lib/api/query';
import { respondJson } from '@/lib/api/respond';
import { defineRoute } from '@/lib/http/define-route';
import { listAuditEntries } from '@/lib/store/audit-log';
import { getStore } from '@/lib/store/client';

export const dynamic = 'force-dynamic';

const auditQuery = z.strictObject({
  limit: z.string().regex(/^\d{1,4}$/, 'must be a whole number from 1 to 500').transform(Number).pipe(z.number().int().min(1, 'must be a whole number from 1 to 500').max(500, 'must be a whole number from 1 to 500')).default(100),
  before: int8Digits('must be an audit entry id').optional(),
});

export const GET = defineRoute({ access: 'admin' }, async ({ request }) => {
  const query = parseQuery(request, auditQuery);
  const entries = await listAuditEntries(getStore(), query);
  return respondJson({
    entries: entries.map((entry) => ({ id: String(entry.id), at: entry.at.toISOString(), actor: entry.actor, action: entry.action, targetKind: entry.targetKind, targetId: entry.targetId, detail: entry.detail })),
  });
});
