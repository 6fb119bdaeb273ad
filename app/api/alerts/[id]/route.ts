import { toAlertDetailDto } from '@/lib/api/alert-dto';
import { alertIdParams, type IdRouteContext } from '@/lib/api/alert-schemas';
import { parseQuery } from '@/lib/api/query';
import { respondJson } from '@/lib/api/respond';
import { noQuery } from '@/lib/api/schemas';
import { handleApiError } from '@/lib/http/handle-api-error';
import { getAlertOrThrow } from '@/lib/store/alerts';
import { getStore } from '@/lib/store/client';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, { params }: IdRouteContext): Promise<Response> {
  try {
    const { id } = alertIdParams.parse(await params);
    parseQuery(request, noQuery);
    return respondJson({ alert: toAlertDetailDto(await getAlertOrThrow(getStore(), id)) });
  } catch (error) {
    return handleApiError(error);
  }
}
