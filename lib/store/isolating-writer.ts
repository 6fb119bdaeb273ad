import type pg from 'pg';
import { leaseKeyString } from '../leases';
import { MissingLeaseRowError, writeBatch, type BatchTransaction, type IngestBatch, type IngestResult } from './ingest';

export type Quarantined = { key: string; reason: string };

export type StoreOutcome = IngestResult & { quarantined: Quarantined[] };

// SQLSTATE classes of errors caused by the data, which the same batch would hit again forever: data
// exceptions (22: a NUL byte, a value out of range), integrity (23) and program limits (54: an index
// row too large). Anything else (a connection gone, a shutdown, a full disk, a schema or permission
// being changed) is an outage and the whole batch is retried as it is.
const dataErrorClasses = new Set(['22', '23', '54']);

export function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.length === 5) return dataErrorClasses.has(code.slice(0, 2));
  return error instanceof MissingLeaseRowError || error instanceof RangeError;
}

// Writes the batch; when the data itself makes it fail, splits it by lease until the leases that fail
// alone are found. Those are quarantined (their events of this batch are not stored, and reported);
// everything else of the cluster is stored. One bad value never stalls a cluster.
// `within`: a group commit member's savepoint (see OwnerSession.writeInGroup): the batch is written at it
// with no savepoint of its own; only the rare split of a batch with bad data takes one per part.
export async function writeBatchIsolating(client: pg.ClientBase, batch: IngestBatch, options: { within?: string } = {}): Promise<StoreOutcome> {
  try {
    return { ...(await writeBatch(client, batch, options.within !== undefined ? { within: options.within } : {})), quarantined: [] };
  } catch (error) {
    if (!isDataError(error)) throw error;
  }
  const parts: BatchTransaction = options.within !== undefined ? { inTransaction: true } : {};
  const outcome: StoreOutcome = { transitions: [], renewals: 0, leaseIds: new Map(), quarantined: [] };
  const keys = [...leaseKeysOf(batch)];
  await writeParts(client, batch, keys, outcome, parts);
  // Every lease failing alone is no bad value: something is wrong with the store, so retry it all later.
  if (keys.length > 1 && outcome.quarantined.length === keys.length) throw new Error(`every lease of the batch was refused: ${outcome.quarantined[0]?.reason ?? ''}`);
  const rest = await writeBatch(client, { ...subBatch(batch, new Set()), gaps: batch.gaps }, parts);
  merge(outcome, rest);
  return outcome;
}

async function writeParts(client: pg.ClientBase, batch: IngestBatch, keys: string[], outcome: StoreOutcome, options: BatchTransaction): Promise<void> {
  if (keys.length === 0) return;
  try {
    merge(outcome, await writeBatch(client, subBatch(batch, new Set(keys)), options));
    return;
  } catch (error) {
    if (!isDataError(error)) throw error;
    if (keys.length === 1) {
      outcome.quarantined.push({ key: keys[0]!, reason: (error as Error).message });
      return;
    }
  }
  const half = Math.ceil(keys.length / 2);
  await writeParts(client, batch, keys.slice(0, half), outcome, options);
  await writeParts(client, batch, keys.slice(half), outcome, options);
}

function leaseKeysOf(batch: IngestBatch): Set<string> {
  const keys = new Set<string>();
  for (const entry of [...batch.leases, ...batch.transitions, ...batch.renewals, ...(batch.skews ?? [])]) keys.add(leaseKeyString(entry.key));
  return keys;
}

// The part of a batch about `keys`; the cluster's own row is updated by every part (idempotently).
function subBatch(batch: IngestBatch, keys: Set<string>): IngestBatch {
  const isIn = (entry: { key: { namespace: string; name: string } }) => keys.has(leaseKeyString(entry.key));
  return {
    ...batch,
    leases: batch.leases.filter(isIn),
    transitions: batch.transitions.filter(isIn),
    renewals: batch.renewals.filter(isIn),
    skews: (batch.skews ?? []).filter(isIn),
    gaps: [],
  };
}

function merge(outcome: StoreOutcome, result: IngestResult): void {
  outcome.transitions.push(...result.transitions);
  outcome.renewals += result.renewals;
  for (const [key, id] of result.leaseIds) outcome.leaseIds.set(key, id);
}
