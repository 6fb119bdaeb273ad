import { matcherSilenceBody, silencesQuery } from '@/lib/api/alert-schemas';
import { parseJsonBody } from '@/lib/api/body';
import { parseQuery } from '@/lib/api/query';
import { respondJson } from '@/lib/api/respond';
import { toSilenceDto } from '@/lib/api/silence-dto';
import { defineRoute } from '@/lib/http/define-route';
import { recordAuditEntry } from '@/lib/store/audit-log';
import { getStore } from '@/lib/store/client';
import { createSilence, listSilences } from '@/lib/store/silences';

export const dynamic = 'force-dynamic';

export const GET = defineRoute({ access: 'viewer' }, async ({ request }) => {
  const query = parseQuery(request, silencesQuery);
  const { silences, hasMore } = await listSilences(getStore(), { ...query, now: new Date() });
  return respondJson({ silences: silences.map(toSilenceDto), hasMore });
});

// The author is whoever is signed in; a silence starts now unless startsAt says later (a maintenance window).
export const POST = defineRoute({ access: 'editor' }, async ({ request, identity }) => {
  const body = await parseJsonBody(request, matcherSilenceBody, '{"matchers":{"cluster":"prod-*","namespace":"kube-system"},"endsAt":"2026-11-25T08:00:00Z","comment":"node upgrades"}');
  const store = getStore();
  const now = new Date();
  const silence = await createSilence(store, { matchers: body.matchers, startsAt: body.startsAt ?? now, endsAt: body.endsAt, comment: body.comment, createdBy: identity.name, now });
  await recordAuditEntry(store, { actor: identity.name, action: 'create', targetKind: 'silence', targetId: String(silence.id), detail: { silence: toSilenceDto(silence) } });
  return Response.json({ silence: toSilenceDto(silence) }, { status: 201, headers: { 'cache-control': 'no-store', location: `/api/silences/${silence.id}` } });
});
