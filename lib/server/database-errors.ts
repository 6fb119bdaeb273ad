import { ConfigError } from '../env';
import { MigrationError } from '../store/migrate';

function describeTarget(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    return `${url.hostname}:${url.port || '5432'}${url.pathname}`;
  } catch {
    return 'DATABASE_URL';
  }
}

// Turns driver errors into one line a person can act on; never echoes the password.
export function describeDatabaseError(error: unknown, databaseUrl: string): Error {
  if (error instanceof MigrationError || error instanceof ConfigError) return error;
  const target = describeTarget(databaseUrl);
  const code = (error as { code?: string } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  switch (code) {
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EHOSTUNREACH':
    case 'ETIMEDOUT':
      return new ConfigError(`cannot reach the database at ${target} (${code}); check DATABASE_URL`);
    case '28P01':
    case '28000':
      return new ConfigError(`the database at ${target} refused the credentials in DATABASE_URL`);
    case '3D000':
      return new ConfigError(`the database ${target} does not exist; create it or fix DATABASE_URL`);
    default:
      if (/timeout/i.test(message)) return new ConfigError(`cannot reach the database at ${target} (timed out); check DATABASE_URL`);
      return new ConfigError(`database error at ${target}: ${message}`);
  }
}
