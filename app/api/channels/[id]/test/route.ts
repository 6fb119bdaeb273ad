import { numericIdParams, type IdRouteContext } from '@/lib/api/alert-schemas';
import { sendTestNotification } from '@/lib/server/alerts/send-test';
import { handleApiError } from '@/lib/http/handle-api-error';
import { getStore } from '@/lib/store/client';

export const dynamic = 'force-dynamic';

// Sends a test message now. 200 when the receiver accepted it, 502 with its answer when it did not.
export async function POST(_request: Request, { params }: IdRouteContext): Promise<Response> {
  try {
    const { id } = numericIdParams.parse(await params);
    const result = await sendTestNotification(getStore(), { channelId: id });
    if (result.delivered) return Response.json(result, { headers: { 'cache-control': 'no-store' } });
    return Response.json({ ...result, error: `the test notification was not delivered: ${result.error}` }, { status: 502, headers: { 'cache-control': 'no-store' } });
  } catch (error) {
    return handleApiError(error);
  }
}
