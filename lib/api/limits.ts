import { z } from 'zod';

// PostgreSQL column ranges: an id past them is a 400, never a query that fails.
export const maxInt4 = 2_147_483_647;
export const maxInt8 = 9_223_372_036_854_775_807n;

const minSupportedMs = Date.UTC(1970, 0, 1);
const maxSupportedMs = Date.UTC(10_000, 0, 1);

export function isSupportedDate(date: Date): boolean {
  const ms = date.getTime();
  return Number.isFinite(ms) && ms >= minSupportedMs && ms < maxSupportedMs;
}

export const supportedYearsMessage = 'must be between 1970-01-01 and 9999-12-31';

export const int8Digits = (message: string) =>
  z
    .string()
    .regex(/^[1-9]\d{0,18}$/, message)
    .transform((value) => BigInt(value))
    .refine((value) => value <= maxInt8, message);
