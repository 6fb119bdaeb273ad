import { toAlertDetailDto } from '@/lib/api/alert-dto';
import { acknowledgeBody, alertIdParams } from '@/lib/api/alert-schemas';
import { parseJsonBody } from '@/lib/api/body';
import { respondJson } from '@/lib/api/respond';
import { defineRoute } from '@/lib/http/define-route';
import { acknowledgeAlert } from '@/lib/store/alerts';
import { getStore } from '@/lib/store/client';

export const dynamic = 'force-dynamic';

export const POST = defineRoute<{ id: string }>({ access: 'editor' }, async ({ request, params, identity }) => {
  const { id } = alertIdParams.parse(params);
  const body = await parseJsonBody(request, acknowledgeBody, '{"note":"looking into it"}');
  return respondJson({ alert: toAlertDetailDto(await acknowledgeAlert(getStore(), { id, note: body.note, by: identity.name, now: new Date() })) });
});
