import { toAlertDetailDto } from '@/lib/api/alert-dto';
import { alertIdParams } from '@/lib/api/alert-schemas';
import { parseQuery } from '@/lib/api/query';
import { respondJson } from '@/lib/api/respond';
import { noQuery } from '@/lib/api/schemas';
import { defineRoute } from '@/lib/http/define-route';
import { getAlertOrThrow } from '@/lib/store/alerts';
import { getStore } from '@/lib/store/client';

export const dynamic = 'force-dynamic';

export const GET = defineRoute<{ id: string }>({ access: 'viewer' }, async ({ request, params }) => {
  const { id } = alertIdParams.parse(params);
  parseQuery(request, noQuery);
  return respondJson({ alert: toAlertDetailDto(await getAlertOrThrow(getStore(), id)) });
});
