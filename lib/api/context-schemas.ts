import { z } from 'zod';

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
