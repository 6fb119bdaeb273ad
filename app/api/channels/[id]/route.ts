import { toChannelDto } from '@/lib/api/alert-dto';
import { channelPatch, numericIdParams } from '@/lib/api/alert-schemas';
import { parseJsonBody } from '@/lib/api/body';
import { parseQuery } from '@/lib/api/query';
import { respondJson } from '@/lib/api/respond';
import { noQuery } from '@/lib/api/schemas';
import { redactChannelConfig, secretFields } from '@/lib/alerts/channel-config';
import { assertChannelTargetAllowed } from '@/lib/alerts/target-guard';
import { defineRoute } from '@/lib/http/define-route';
import { diffFields, recordAuditEntry } from '@/lib/store/audit-log';
import { deleteChannel, getChannelOrThrow, resolveChannelUpdate, updateChannel } from '@/lib/store/channels';
import { getStore } from '@/lib/store/client';

export const dynamic = 'force-dynamic';

type Params = { id: string };

export const GET = defineRoute<Params>({ access: 'viewer' }, async ({ request, params }) => {
  const { id } = numericIdParams.parse(params);
  parseQuery(request, noQuery);
  return respondJson({ channel: toChannelDto(await getChannelOrThrow(getStore(), id)) });
});

// Partial update; credentials left out are kept while the target stays on the same origin, and
// dropped when it moves (see resolveChannelUpdate).
export const PATCH = defineRoute<Params>({ access: 'admin' }, async ({ request, params, identity }) => {
  const { id } = numericIdParams.parse(params);
  const patch = await parseJsonBody(request, channelPatch, '{"enabled":false} or {"config":{"url":"https://hooks.example.com/new","secret":"a-new-long-secret"}}');
  const store = getStore();
  const before = await getChannelOrThrow(store, id);
  const update = await resolveChannelUpdate(store, id, patch);
  await assertChannelTargetAllowed(update.definition.config);
  const channel = await updateChannel(store, id, update);
  const shown = (record: typeof before) => ({ name: record.name, enabled: record.enabled, ...(record.definition ? redactChannelConfig(record.definition) : {}) });
  const changes = diffFields(shown(before), shown(channel));
  for (const field of secretFields[channel.kind]) {
    if (patch.config?.[field] !== undefined) changes[field] = { from: '(secret)', to: '(secret, changed)' };
  }
  await recordAuditEntry(store, { actor: identity.name, action: 'update', targetKind: 'channel', targetId: String(id), detail: { name: channel.name, changes } });
  return respondJson({ channel: toChannelDto(channel) });
});

export const DELETE = defineRoute<Params>({ access: 'admin' }, async ({ params, identity }) => {
  const { id } = numericIdParams.parse(params);
  const store = getStore();
  const channel = await getChannelOrThrow(store, id);
  await deleteChannel(store, id);
  await recordAuditEntry(store, { actor: identity.name, action: 'delete', targetKind: 'channel', targetId: String(id), detail: { name: channel.name, kind: channel.kind } });
  return new Response(null, { status: 204 });
});
