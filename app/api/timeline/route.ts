import { toFleetTimelineLeaseDto, toFleetTimelineTransitionDto, toRangeDto } from '@/lib/api/dto';
import { jsonList, respondJsonStream } from '@/lib/api/json-stream';
import { parseQuery } from '@/lib/api/query';
import { timelineQuery } from '@/lib/api/schemas';
import { defineRoute } from '@/lib/http/define-route';
import { getStore } from '@/lib/store/client';
import { getFleetTimeline } from '@/lib/store/timeline';

export const dynamic = 'force-dynamic';

export const GET = defineRoute({ access: 'viewer', heavy: true }, async ({ request }) => {
  const query = parseQuery(request, timelineQuery);
  const timeline = await getFleetTimeline(getStore(), { cluster: query.cluster, namespace: query.namespace, range: query.range, leaseLimit: query.leases, now: new Date(), signal: request.signal });
  // Up to 1.5 MB of JSON: converted and written a slice at a time as the client reads (the same bytes and
  // shape as FleetTimelineResponse), and the heavy slot is held until the last one. 20 leases (up to 8,000
  // churn buckets) or 500 transitions per slice: ~100 KB, a few ms of the event loop each.
  return respondJsonStream([
    jsonList('leases', timeline.leases, toFleetTimelineLeaseDto, 20),
    jsonList('transitions', timeline.transitions, toFleetTimelineTransitionDto, 500),
    { key: 'hasMoreLeases', value: timeline.hasMoreLeases },
    jsonList('bands', timeline.bands, (band) => band, 500),
    { key: 'hasMoreBands', value: timeline.hasMoreBands },
    { key: 'range', value: toRangeDto(query.range) },
  ]);
});
