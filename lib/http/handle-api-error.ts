import { ZodError } from 'zod';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import { loggerFor } from '../log';
import { describeDatabaseUnavailable, isDatabaseUnavailable } from '../store/database-unavailable';

const log = loggerFor('api');

export type ApiErrorBody = { error: string; issues?: Array<{ path: string; message: string }> };

function json(body: ApiErrorBody, status: number): Response {
  return Response.json(body, { status });
}

// Every route handler ends in this one mapping; internals never leak into a 500.
export function handleApiError(error: unknown): Response {
  if (error instanceof ZodError) {
    const issues = error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
    const first = issues[0];
    return json({ error: first ? `invalid ${first.path || 'input'}: ${first.message}` : 'invalid input', issues }, 400);
  }
  if (error instanceof ValidationError) return json({ error: error.message, issues: error.issues }, 400);
  if (error instanceof NotFoundError) return json({ error: error.message }, 404);
  if (error instanceof ConflictError) return json({ error: error.message }, 409);
  if (isDatabaseUnavailable(error)) {
    log.warn({ err: error }, 'database unavailable');
    return Response.json({ error: describeDatabaseUnavailable() }, { status: 503, headers: { 'retry-after': '2' } });
  }
  log.error({ err: error }, 'unhandled API error');
  return json({ error: 'internal error' }, 500);
}
