import { toChannelDto } from '@/lib/api/alert-dto';
import { channelPatch, numericIdParams, type IdRouteContext } from '@/lib/api/alert-schemas';
import { parseJsonBody } from '@/lib/api/body';
import { parseQuery } from '@/lib/api/query';
import { respondJson } from '@/lib/api/respond';
import { noQuery } from '@/lib/api/schemas';
import { assertChannelTargetAllowed } from '@/lib/alerts/target-guard';
import { handleApiError } from '@/lib/http/handle-api-error';
import { deleteChannel, getChannelOrThrow, resolveChannelUpdate, updateChannel } from '@/lib/store/channels';
import { getStore } from '@/lib/store/client';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, { params }: IdRouteContext): Promise<Response> {
  try {
    const { id } = numericIdParams.parse(await params);
    parseQuery(request, noQuery);
    return respondJson({ channel: toChannelDto(await getChannelOrThrow(getStore(), id)) });
  } catch (error) {
    return handleApiError(error);
  }
}

// Partial update; credentials (webhook secret, Slack URL, Alertmanager token) left out are kept.
export async function PATCH(request: Request, { params }: IdRouteContext): Promise<Response> {
  try {
    const { id } = numericIdParams.parse(await params);
    const patch = await parseJsonBody(request, channelPatch, '{"enabled":false} or {"config":{"url":"https://hooks.example.com/new"}}');
    const store = getStore();
    const update = await resolveChannelUpdate(store, id, patch);
    await assertChannelTargetAllowed(update.definition.config);
    return respondJson({ channel: toChannelDto(await updateChannel(store, id, update)) });
  } catch (error) {
    return handleApiError(error);
  }
}

export async function DELETE(_request: Request, { params }: IdRouteContext): Promise<Response> {
  try {
    const { id } = numericIdParams.parse(await params);
    await deleteChannel(getStore(), id);
    return new Response(null, { status: 204 });
  } catch (error) {
    return handleApiError(error);
  }
}
