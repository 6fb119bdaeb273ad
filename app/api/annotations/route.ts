import { toAnnotationDto, toAnnotationsResponse, type AnnotationResponse } from '@/lib/api/audit-dto';
import { annotationBody, annotationExample, annotationsQuery } from '@/lib/api/audit-schemas';
import { parseJsonBody } from '@/lib/api/body';
import { parseQuery } from '@/lib/api/query';
import { respondJson } from '@/lib/api/respond';
import { handleApiError } from '@/lib/http/handle-api-error';
import { createAnnotation, listAnnotations } from '@/lib/store/annotations';
import { getStore } from '@/lib/store/client';

export const dynamic = 'force-dynamic';

export async function GET(request: Request): Promise<Response> {
  try {
    const { range, cluster, namespace, name, limit } = parseQuery(request, annotationsQuery);
    const lease = cluster !== undefined && namespace !== undefined && name !== undefined ? { cluster, namespace, name } : undefined;
    return respondJson(toAnnotationsResponse(await listAnnotations(getStore(), { range, cluster, lease, limit }), range));
  } catch (error) {
    return handleApiError(error);
  }
}

export async function POST(request: Request): Promise<Response> {
  try {
    const body = await parseJsonBody(request, annotationBody, annotationExample);
    const annotation = await createAnnotation(getStore(), body);
    const answer: AnnotationResponse = { annotation: toAnnotationDto(annotation) };
    return Response.json(answer, { status: 201, headers: { 'cache-control': 'no-store' } });
  } catch (error) {
    return handleApiError(error);
  }
}
