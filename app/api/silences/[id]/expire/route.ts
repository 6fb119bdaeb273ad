import { numericIdParams } from '@/lib/api/alert-schemas';
import { parseQuery } from '@/lib/api/query';
import { respondJson } from '@/lib/api/respond';
import { noQuery } from '@/lib/api/schemas';
import { toSilenceDto } from '@/lib/api/silence-dto';
import { defineRoute } from '@/lib/http/define-route';
import { recordAuditEntry } from '@/lib/store/audit-log';
import { getStore } from '@/lib/store/client';
import { expireSilence } from '@/lib/store/silences';

export const dynamic = 'force-dynamic';

type Params = { id: string };

// Ends a silence now; the row stays, with who ended it and when.
export const POST = defineRoute<Params>({ access: 'editor' }, async ({ request, params, identity }) => {
  const { id } = numericIdParams.parse(params);
  parseQuery(request, noQuery);
  const store = getStore();
  const silence = await expireSilence(store, { id, by: identity.name, now: new Date() });
  await recordAuditEntry(store, { actor: identity.name, action: 'revoke', targetKind: 'silence', targetId: String(id), detail: { silence: toSilenceDto(silence) } });
  return respondJson({ silence: toSilenceDto(silence) });
});
