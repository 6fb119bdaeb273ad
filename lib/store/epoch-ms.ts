import { type Sql, sql } from './sql';

// A timestamptz as whole epoch milliseconds, truncated as a JavaScript Date keeps it. node-postgres reads a
// float8 far faster than it parses a timestamp text, and float8 arithmetic here costs half of numeric
// EXTRACT: seconds since 2020 as float8, rounded back to the exact microsecond, exact until 2155.
export function epochMs(column: Sql): Sql {
  return sql`(floor(round(date_part('epoch', ${column} - timestamptz '2020-01-01 00:00:00+00') * 1e6) / 1000) + 1577836800000)`;
}
