import { getEnv } from '@/lib/env';
import { handleApiError } from '@/lib/http/handle-api-error';
import { defineRoute } from '@/lib/http/define-route';
import { isScrapeAuthorised, metricsContentType, renderMetrics } from '@/lib/metrics/scrape';
import { getStore } from '@/lib/store/client';

export const dynamic = 'force-dynamic';

async function metricsResponse(): Promise<Response> {
  const body = await renderMetrics(getStore(), new Date(), getEnv().LEASETRAIL_METRICS_MAX_LEASE_SERIES);
  return new Response(body, { headers: { 'content-type': metricsContentType, 'cache-control': 'no-store' } });
}

// Without a scrape token, /metrics is an API read like any other: a viewer's session or API token (anyone on
// loopback with LEASETRAIL_AUTH=none), and the configured Host.
const readAsViewer = defineRoute({ access: 'viewer' }, () => metricsResponse());

// Prometheus scrape endpoint: process, Node and controller metrics, and lease signals read from PostgreSQL.
// With LEASETRAIL_METRICS_TOKEN set, the token is what lets a scrape in, at whatever address it was sent to
// (Prometheus scrapes pods by their IP); nothing else does.
export async function GET(request: Request, context: { params: Promise<Record<string, never>> }): Promise<Response> {
  const token = getEnv().LEASETRAIL_METRICS_TOKEN;
  if (!token) return readAsViewer(request, context);
  if (!isScrapeAuthorised(token, request.headers.get('authorization'))) {
    return Response.json({ error: 'a valid bearer token (LEASETRAIL_METRICS_TOKEN) is required to scrape /metrics' }, { status: 401, headers: { 'www-authenticate': 'Bearer' } });
  }
  try {
    return await metricsResponse();
  } catch (error) {
    return handleApiError(error);
  }
}
