import { toChannelDto } from '@/lib/api/alert-dto';
import { channelBody } from '@/lib/api/alert-schemas';
import { parseJsonBody } from '@/lib/api/body';
import { parseQuery } from '@/lib/api/query';
import { respondJson } from '@/lib/api/respond';
import { noQuery } from '@/lib/api/schemas';
import { redactChannelConfig } from '@/lib/alerts/channel-config';
import { assertChannelTargetAllowed } from '@/lib/alerts/target-guard';
import { defineRoute } from '@/lib/http/define-route';
import { recordAuditEntry } from '@/lib/store/audit-log';
import { createChannel, listChannels } from '@/lib/store/channels';
import { getStore } from '@/lib/store/client';

export const dynamic = 'force-dynamic';

export const GET = defineRoute({ access: 'viewer' }, async ({ request }) => {
  parseQuery(request, noQuery);
  return respondJson({ channels: (await listChannels(getStore())).map(toChannelDto) });
});

export const POST = defineRoute({ access: 'admin' }, async ({ request, identity }) => {
  const { name, enabled, ...definition } = await parseJsonBody(
    request,
    channelBody,
    '{"name":"ops webhook","kind":"webhook","config":{"url":"https://hooks.example.com/leasetrail","secret":"a-long-random-secret"}}',
  );
  await assertChannelTargetAllowed(definition.config);
  const store = getStore();
  const channel = await createChannel(store, { name, enabled, definition });
  await recordAuditEntry(store, { actor: identity.name, action: 'create', targetKind: 'channel', targetId: String(channel.id), detail: { name, enabled, kind: definition.kind, config: redactChannelConfig(definition) } });
  return Response.json({ channel: toChannelDto(channel) }, { status: 201, headers: { 'cache-control': 'no-store', location: `/api/channels/${channel.id}` } });
});
