import { z } from 'zod';
import { clusterName, dateTime, resolveRange } from './schemas';

const maxIds = 200;

// `ids=1,2,3`: the audit asks for the hints of the failovers it shows, a page at a time.
export const failoverHintsQuery = z.strictObject({
  ids: z
    .string({ error: 'is required: comma-separated failover ids' })
    .regex(/^\d{1,19}(,\d{1,19})*$/, 'must be comma-separated failover ids (whole numbers)')
    .transform((text) => [...new Set(text.split(','))].map((id) => BigInt(id)))
    .refine((ids) => ids.length <= maxIds, `must name at most ${maxIds} failovers`)
    .refine((ids) => ids.every((id) => id <= 9_223_372_036_854_775_807n), 'must be ids within bigint range'),
});

const maxNodeRangeMs = 7 * 24 * 60 * 60 * 1000;

function seconds(min: number, max: number, fallback: number) {
  const message = `must be a whole number of seconds from ${min} to ${max}`;
  return z.string().regex(/^\d+$/, message).transform(Number).pipe(z.number().int().min(min, message).max(max, message)).default(fallback);
}

// The Nodes view: one cluster, at most a week (rollups only, but 5,000 nodes × a week of minutes is the ceiling).
export const nodesQuery = z
  .strictObject({
    cluster: clusterName.min(1, 'must not be empty'),
    from: dateTime.optional(),
    to: dateTime.optional(),
    grace: seconds(10, 600, 40),
    near: seconds(1, 300, 10),
    // A node (its kube-node-lease Lease name) whose renew gaps over time are wanted too.
    node: z.string().min(1, 'must not be empty').max(253, 'must be at most 253 characters').optional(),
  })
  .transform(({ from, to, ...rest }, ctx) => {
    const range = resolveRange(from, to, new Date());
    const spanMs = range.to.getTime() - range.from.getTime();
    if (spanMs <= 0 || spanMs > maxNodeRangeMs) {
      ctx.addIssue({ code: 'custom', path: ['from'], message: spanMs <= 0 ? 'must be before to' : 'must be at most 7 days before to' });
      return z.NEVER;
    }
    if (rest.near >= rest.grace) {
      ctx.addIssue({ code: 'custom', path: ['near'], message: 'must be less than grace' });
      return z.NEVER;
    }
    return { ...rest, range };
  });
