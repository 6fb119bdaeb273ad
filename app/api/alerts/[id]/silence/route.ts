import { toAlertDetailDto } from '@/lib/api/alert-dto';
import { alertIdParams, liftSilenceBody, silenceBody, type IdRouteContext } from '@/lib/api/alert-schemas';
import { parseJsonBody } from '@/lib/api/body';
import { respondJson } from '@/lib/api/respond';
import { handleApiError } from '@/lib/http/handle-api-error';
import { silenceAlert } from '@/lib/store/alerts';
import { getStore } from '@/lib/store/client';

export const dynamic = 'force-dynamic';

export async function POST(request: Request, { params }: IdRouteContext): Promise<Response> {
  try {
    const { id } = alertIdParams.parse(await params);
    const body = await parseJsonBody(request, silenceBody, '{"until":"2026-11-25T08:00:00Z","note":"planned maintenance","by":"alice"}');
    return respondJson({ alert: toAlertDetailDto(await silenceAlert(getStore(), { id, until: body.until, by: body.by, note: body.note ?? null, now: new Date() })) });
  } catch (error) {
    return handleApiError(error);
  }
}

// Lifts the silence; a body is optional ({"by":"alice"}).
export async function DELETE(request: Request, { params }: IdRouteContext): Promise<Response> {
  try {
    const { id } = alertIdParams.parse(await params);
    const hasBody = (request.headers.get('content-length') ?? '0') !== '0';
    const body = hasBody ? await parseJsonBody(request, liftSilenceBody, '{"by":"alice"}') : liftSilenceBody.parse({});
    return respondJson({ alert: toAlertDetailDto(await silenceAlert(getStore(), { id, until: null, by: body.by, note: body.note ?? null, now: new Date() })) });
  } catch (error) {
    return handleApiError(error);
  }
}
