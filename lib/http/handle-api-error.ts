import { ZodError } from 'zod';
import {
  BudgetExceededError,
  ClientGoneError,
  ConflictError,
  ForbiddenError,
  MisdirectedRequestError,
  NotFoundError,
  PayloadTooLargeError,
  TooManyRequestsError,
  UnauthorizedError,
  UnavailableError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../errors';
import { loggerFor } from '../log';
import { describeDatabaseUnavailable, isDatabaseUnavailable } from '../store/database-unavailable';

const log = loggerFor('api');

export type ApiErrorBody = { error: string; issues?: Array<{ path: string; message: string }> };

function json(body: ApiErrorBody, status: number, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers: { 'cache-control': 'no-store', ...headers } });
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
  if (error instanceof UnauthorizedError) return json({ error: error.message }, 401, { 'www-authenticate': 'Bearer realm="leasetrail"' });
  if (error instanceof ForbiddenError) return json({ error: error.message }, 403);
  if (error instanceof PayloadTooLargeError) return json({ error: error.message }, 413);
  if (error instanceof UnsupportedMediaTypeError) return json({ error: error.message }, 415);
  if (error instanceof MisdirectedRequestError) return json({ error: error.message }, 421);
  if (error instanceof UnavailableError) return json({ error: error.message }, 503, { 'retry-after': '10' });
  if (error instanceof BudgetExceededError) return json({ error: error.message }, 503);
  if (error instanceof ClientGoneError) return json({ error: error.message }, 499);
  if (error instanceof TooManyRequestsError) return json({ error: error.message }, 429, { 'retry-after': String(error.retryAfterSeconds) });
  log.error({ err: error }, 'unhandled API error');
  return json({ error: 'internal error' }, 500);
}
