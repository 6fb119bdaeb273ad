import { numericIdParams } from '@/lib/api/alert-schemas';
import { sendTestNotification } from '@/lib/server/alerts/send-test';
import { defineRoute } from '@/lib/http/define-route';
import { getStore } from '@/lib/store/client';

export const dynamic = 'force-dynamic';

// Sends a test message now. 200 when the receiver accepted it, 502 with its status when it did not.
export const POST = defineRoute<{ id: string }>({ access: 'admin' }, async ({ params }) => {
  const { id } = numericIdParams.parse(params);
  const result = await sendTestNotification(getStore(), { channelId: id });
  if (result.delivered) return Response.json(result, { headers: { 'cache-control': 'no-store' } });
  return Response.json({ ...result, error: `the test notification was not delivered: ${result.error}` }, { status: 502, headers: { 'cache-control': 'no-store' } });
});
