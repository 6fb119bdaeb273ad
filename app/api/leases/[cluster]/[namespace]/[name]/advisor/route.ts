import { advisorQuery } from '@/lib/api/alert-schemas';
import { parseQuery } from '@/lib/api/query';
import { respondJson } from '@/lib/api/respond';
import { type LeaseParams, leaseParams } from '@/lib/api/schemas';
import { defineRoute } from '@/lib/http/define-route';
import { adviseLease } from '@/lib/server/advisor/advise-lease';
import { getStore } from '@/lib/store/client';

export const dynamic = 'force-dynamic';

// The timing advisor for one lease; RenewDeadline and RetryPeriod are not on the Lease, so the caller may give them.
export const GET = defineRoute<LeaseParams>({ access: 'viewer', heavy: true }, async ({ request, params }) => {
  const key = leaseParams.parse(params);
  const query = parseQuery(request, advisorQuery);
  const advice = await adviseLease(getStore(), { key, ...query, now: new Date() });
  return respondJson({ ...advice, range: { from: advice.range.from.toISOString(), to: advice.range.to.toISOString() } });
});
