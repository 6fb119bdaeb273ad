import { toAlertDetailDto } from '@/lib/api/alert-dto';
import { acknowledgeBody, alertIdParams, type IdRouteContext } from '@/lib/api/alert-schemas';
import { parseJsonBody } from '@/lib/api/body';
import { respondJson } from '@/lib/api/respond';
import { handleApiError } from '@/lib/http/handle-api-error';
import { acknowledgeAlert } from '@/lib/store/alerts';
import { getStore } from '@/lib/store/client';

export const dynamic = 'force-dynamic';

export async function POST(request: Request, { params }: IdRouteContext): Promise<Response> {
  try {
    const { id } = alertIdParams.parse(await params);
    const body = await parseJsonBody(request, acknowledgeBody, '{"note":"looking into it","by":"alice"}');
    return respondJson({ alert: toAlertDetailDto(await acknowledgeAlert(getStore(), { id, ...body, now: new Date() })) });
  } catch (error) {
    return handleApiError(error);
  }
}
