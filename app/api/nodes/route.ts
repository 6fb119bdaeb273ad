import { nodesQuery } from '@/lib/api/context-schemas';
import { parseQuery } from '@/lib/api/query';
import { respondJson } from '@/lib/api/respond';
import { NotFoundError } from '@/lib/errors';
import { defineRoute } from '@/lib/http/define-route';
import { getStore } from '@/lib/store/client';
import { defaultNodeHeartbeatOptions, getNodeHeartbeats } from '@/lib/store/node-heartbeats';

export const dynamic = 'force-dynamic';

export const GET = defineRoute({ access: 'viewer' }, async ({ request }) => {
  const { cluster, range, grace, near, node } = parseQuery(request, nodesQuery);
  const view = await getNodeHeartbeats(getStore(), cluster, range, { ...defaultNodeHeartbeatOptions, gracePeriodMs: grace * 1000, nearMs: near * 1000 }, node ?? null);
  if (!view) throw new NotFoundError(`no cluster named ${cluster}`);
  return respondJson(view);
});
