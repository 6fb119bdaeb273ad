import { toAlertDetailDto } from '@/lib/api/alert-dto';
import { alertIdParams, liftSilenceBody, silenceBody } from '@/lib/api/alert-schemas';
import { parseJsonBody, parseOptionalJsonBody } from '@/lib/api/body';
import { respondJson } from '@/lib/api/respond';
import { defineRoute } from '@/lib/http/define-route';
import { silenceAlert } from '@/lib/store/alerts';
import { getStore } from '@/lib/store/client';

export const dynamic = 'force-dynamic';

type Params = { id: string };

export const POST = defineRoute<Params>({ access: 'editor' }, async ({ request, params, identity }) => {
  const { id } = alertIdParams.parse(params);
  const body = await parseJsonBody(request, silenceBody, '{"until":"2026-11-25T08:00:00Z","note":"planned maintenance"}');
  return respondJson({ alert: toAlertDetailDto(await silenceAlert(getStore(), { id, until: body.until, by: identity.name, note: body.note ?? null, now: new Date() })) });
});

// Lifts the silence; a body is optional ({"note":"maintenance over"}).
export const DELETE = defineRoute<Params>({ access: 'editor' }, async ({ request, params, identity }) => {
  const { id } = alertIdParams.parse(params);
  const body = await parseOptionalJsonBody(request, liftSilenceBody, '{"note":"maintenance over"}');
  return respondJson({ alert: toAlertDetailDto(await silenceAlert(getStore(), { id, until: null, by: identity.name, note: body.note ?? null, now: new Date() })) });
});
