import { getDatabaseStatus } from './database-status';

// Connection-level failures (refused, reset, server shutting down or starting), as pg, the Prisma adapter and
// Prisma itself report them; a query error is none of these.
const unavailableCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006', 'P1001', 'P1002', 'P1017', 'DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout']);
const unavailableMessages = /Connection terminated|connection (?:refused|reset)|Can't reach database server|Server has closed the connection|timeout exceeded when trying to connect/i;

export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const { code, originalCode, kind, message, meta } = current as { code?: unknown; originalCode?: unknown; kind?: unknown; message?: unknown; meta?: { driverAdapterError?: unknown } };
    if ([code, originalCode, kind].some((value) => typeof value === 'string' && unavailableCodes.has(value))) return true;
    if (typeof message === 'string' && unavailableMessages.test(message)) return true;
    if (current instanceof AggregateError && current.errors.some(isDatabaseUnavailable)) return true;
    // Prisma keeps the driver's error under meta.driverAdapterError, the adapter under cause.
    current = meta?.driverAdapterError ?? (current as { cause?: unknown }).cause;
  }
  return false;
}

export function describeDatabaseUnavailable(): string {
  const status = getDatabaseStatus();
  if (status?.state === 'restarting') return `the database is unavailable: ${status.reason}; retry shortly`;
  return 'the database is unavailable; retry shortly (see /api/health)';
}
