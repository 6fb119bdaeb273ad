import { toAnnotationDto, toAnnotationsResponse, type AnnotationResponse } from '@/lib/api/audit-dto';
import { annotationBody, annotationExample, annotationsQuery } from '@/lib/api/audit-schemas';
import { parseJsonBody } from '@/lib/api/body';
import { parseQuery } from '@/lib/api/query';
import { respondJson } from '@/lib/api/respond';
import { defineRoute } from '@/lib/http/define-route';
import { createAnnotation, listAnnotations } from '@/lib/store/annotations';
import { getStore } from '@/lib/store/client';

export const dynamic = 'force-dynamic';

export const GET = defineRoute({ access: 'viewer' }, async ({ request }) => {
  const { range, cluster, namespace, name, limit } = parseQuery(request, annotationsQuery);
  const lease = cluster !== undefined && namespace !== undefined && name !== undefined ? { cluster, namespace, name } : undefined;
  return respondJson(toAnnotationsResponse(await listAnnotations(getStore(), { range, cluster, lease, limit }), range));
});

export const POST = defineRoute({ access: 'editor' }, async ({ request, identity }) => {
  const body = await parseJsonBody(request, annotationBody, annotationExample);
  const annotation = await createAnnotation(getStore(), { ...body, author: identity.name });
  const answer: AnnotationResponse = { annotation: toAnnotationDto(annotation) };
  return Response.json(answer, { status: 201, headers: { 'cache-control': 'no-store' } });
});
