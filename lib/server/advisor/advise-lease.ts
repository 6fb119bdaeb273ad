import { adviseTiming, type Advice, type FailoverFigure } from '../../advisor/advise-timing';
import type { LeaseKey } from '../../leases';
import type { Store } from '../../store/client';
import { listFailovers } from '../../store/failovers';
import { getLeaseOrThrow } from '../../store/leases';
import { ValidationError } from '../../errors';
import { listRenewals } from '../../store/renewals';

const DAY_MS = 24 * 60 * 60 * 1_000;
export const failoverLimit = 10_000;

export type LeaseAdviceInput = { key: LeaseKey; days: number; renewDeadlineSeconds?: number; retryPeriodSeconds?: number; now: Date };

export type LeaseAdvice = Advice & { range: { from: Date; to: Date } };

// Reads through the same store functions the lease page uses (renew statistics come from the
// rollups beyond a few thousand samples), so the advisor never reads RenewSample columns itself.
export async function adviseLease(store: Store, input: LeaseAdviceInput): Promise<LeaseAdvice> {
  const range = { from: new Date(input.now.getTime() - input.days * DAY_MS), to: input.now };
  const lease = await getLeaseOrThrow(store, input.key);
  const [renewals, { failovers, hasMore }] = await Promise.all([
    listRenewals(store, { key: input.key, range }),
    listFailovers(store, { range, cluster: input.key.cluster, namespace: input.key.namespace, name: input.key.name, limit: failoverLimit }),
  ]);
  // Counting only the first ten thousand would understate expiries and leaderless time: refuse instead.
  if (hasMore) {
    throw new ValidationError(`invalid days: more than ${failoverLimit.toLocaleString('en')} changes of leader in ${input.days} days; choose fewer days`, [
      { path: 'days', message: 'too many changes of leader to read' },
    ]);
  }
  const figures: FailoverFigure[] = failovers
    .filter((failover) => failover.kind === 'acquired')
    .map((failover) => ({ cause: failover.cause, leaderlessMs: failover.leaderlessMs }));
  const { stats } = renewals;
  const advice = adviseTiming({
    leaseDurationSeconds: lease.leaseDurationSeconds,
    renewDeadlineSeconds: input.renewDeadlineSeconds,
    retryPeriodSeconds: input.retryPeriodSeconds,
    renew: { count: stats.intervalCount, p50Ms: stats.intervalMs.p50, p95Ms: stats.intervalMs.p95, p99Ms: stats.intervalMs.p99, p999Ms: stats.intervalMs.p999, maxMs: stats.intervalMs.max },
    lag: { p50Ms: stats.lagMs.p50, p99Ms: stats.lagMs.p99 },
    failovers: figures,
    rangeText: `${input.days} day${input.days === 1 ? '' : 's'}`,
  });
  return { ...advice, range };
}
