import { toChannelDto } from '@/lib/api/alert-dto';
import { channelBody } from '@/lib/api/alert-schemas';
import { parseJsonBody } from '@/lib/api/body';
import { parseQuery } from '@/lib/api/query';
import { respondJson } from '@/lib/api/respond';
import { noQuery } from '@/lib/api/schemas';
import { assertChannelTargetAllowed } from '@/lib/alerts/target-guard';
import { handleApiError } from '@/lib/http/handle-api-error';
import { createChannel, listChannels } from '@/lib/store/channels';
import { getStore } from '@/lib/store/client';

export const dynamic = 'force-dynamic';

export async function GET(request: Request): Promise<Response> {
  try {
    parseQuery(request, noQuery);
    return respondJson({ channels: (await listChannels(getStore())).map(toChannelDto) });
  } catch (error) {
    return handleApiError(error);
  }
}

export async function POST(request: Request): Promise<Response> {
  try {
    const { name, enabled, ...definition } = await parseJsonBody(
      request,
      channelBody,
      '{"name":"ops webhook","kind":"webhook","config":{"url":"https://hooks.example.com/leasetrail","secret":"a-long-random-secret"}}',
    );
    await assertChannelTargetAllowed(definition.config);
    const channel = await createChannel(getStore(), { name, enabled, definition });
    return Response.json({ channel: toChannelDto(channel) }, { status: 201, headers: { 'cache-control': 'no-store', location: `/api/channels/${channel.id}` } });
  } catch (error) {
    return handleApiError(error);
  }
}
