import { previewBody } from '@/lib/api/alert-schemas';
import { parseJsonBody } from '@/lib/api/body';
import { respondJson } from '@/lib/api/respond';
import { defineRoute } from '@/lib/http/define-route';
import { getPreviewPool } from '@/lib/server/preview-pool';
import { databaseUrlOf, getStore } from '@/lib/store/client';

export const dynamic = 'force-dynamic';

// The rule as the form holds it, replayed over stored history: "would have fired 3 times in the last 24 h".
// The replay runs in a worker thread (seconds of CPU over a month of history); a client that goes away
// stops it.
export const POST = defineRoute({ access: 'editor', heavy: true }, async ({ request }) => {
  const body = await parseJsonBody(request, previewBody, '{"kind":"flapping","params":{"transitions":3,"windowSeconds":600},"hours":24}');
  const result = await getPreviewPool().run(databaseUrlOf(getStore()), { ...body, now: new Date() }, request.signal);
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
});
