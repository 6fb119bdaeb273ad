// What the supervisor of the embedded PostgreSQL knows, for health and for 503 answers. Held on globalThis:
// the route handlers Next compiles and the start bundle are separate module graphs in one process.
export type DatabaseStatus = { state: 'running'; restarts: number } | { state: 'restarting'; reason: string; since: string; restarts: number };

const key = Symbol.for('leasetrail.embedded-database-status');
type Holder = { [key]?: DatabaseStatus };

export function setDatabaseStatus(status: DatabaseStatus | undefined): void {
  (globalThis as Holder)[key] = status;
}

export function getDatabaseStatus(): DatabaseStatus | undefined {
  return (globalThis as Holder)[key];
}
