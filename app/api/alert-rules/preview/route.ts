import { previewBody } from '@/lib/api/alert-schemas';
import { parseJsonBody } from '@/lib/api/body';
import { respondJson } from '@/lib/api/respond';
import { previewRule } from '@/lib/server/alerts/preview-rule';
import { handleApiError } from '@/lib/http/handle-api-error';
import { getStore } from '@/lib/store/client';

export const dynamic = 'force-dynamic';

// The rule as the form holds it, replayed over stored history: "would have fired 3 times in the last 24 h".
export async function POST(request: Request): Promise<Response> {
  try {
    const body = await parseJsonBody(request, previewBody, '{"kind":"flapping","params":{"transitions":3,"windowSeconds":600},"hours":24}');
    const result = await previewRule(getStore(), { ...body, now: new Date() });
    return respondJson({
      range: { from: result.range.from.toISOString(), to: result.range.to.toISOString() },
      description: result.description,
      firings: result.firings,
      subjects: result.subjects,
      sampleStepSeconds: result.sampleStepSeconds,
      alerts: result.alerts.map((alert) => ({
        subject: alert.subject,
        firingAt: new Date(alert.firingAt).toISOString(),
        resolvedAt: alert.resolvedAt === null ? null : new Date(alert.resolvedAt).toISOString(),
      })),
    });
  } catch (error) {
    return handleApiError(error);
  }
}
