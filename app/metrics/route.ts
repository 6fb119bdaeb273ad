import { getEnv } from '@/lib/env';
import { handleApiError } from '@/lib/http/handle-api-error';
import { isScrapeAuthorised, metricsContentType, renderMetrics } from '@/lib/metrics/scrape';
import { getStore } from '@/lib/store/client';

export const dynamic = 'force-dynamic';

// Prometheus scrape endpoint: process, Node and controller metrics, and lease signals read from PostgreSQL.
export async function GET(request: Request): Promise<Response> {
  if (!isScrapeAuthorised(getEnv().LEASETRAIL_METRICS_TOKEN, request.headers.get('authorization'))) {
    return Response.json({ error: 'a valid bearer token (LEASETRAIL_METRICS_TOKEN) is required to scrape /metrics' }, { status: 401, headers: { 'www-authenticate': 'Bearer' } });
  }
  try {
    const body = await renderMetrics(getStore(), new Date());
    return new Response(body, { headers: { 'content-type': metricsContentType, 'cache-control': 'no-store' } });
  } catch (error) {
    return handleApiError(error);
  }
}
