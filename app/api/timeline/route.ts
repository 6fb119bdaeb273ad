import { toFleetTimelineResponse } from '@/lib/api/dto';
import { parseQuery } from '@/lib/api/query';
import { respondJson } from '@/lib/api/respond';
import { timelineQuery } from '@/lib/api/schemas';
import { defineRoute } from '@/lib/http/define-route';
import { getStore } from '@/lib/store/client';
import { getFleetTimeline } from '@/lib/store/timeline';

export const dynamic = 'force-dynamic';

export const GET = defineRoute({ access: 'viewer', heavy: true }, async ({ request }) => {
  const query = parseQuery(request, timelineQuery);
  const timeline = await getFleetTimeline(getStore(), { cluster: query.cluster, namespace: query.namespace, range: query.range, leaseLimit: query.leases, now: new Date() });
  return respondJson(toFleetTimelineResponse(timeline, query.range));
});
