import { describe, expect, it } from 'vitest';
import { empty, join, raw, sql, Sql } from '../../../lib/store/sql';

describe('sql fragments', () => {
  it('binds values as numbered parameters', () => {
    const at = new Date('2030-01-01T00:00:00Z');
    const query = sql`SELECT * FROM "Alert" WHERE "ruleId" = ${7}::int AND "startedAt" < ${at}`;
    expect(query.text).toBe('SELECT * FROM "Alert" WHERE "ruleId" = $1::int AND "startedAt" < $2');
    expect(query.values).toEqual([7, at]);
  });

  it('flattens nested fragments, numbering their values in order', () => {
    const inner = sql`t.at > ${'a'} AND t.kind = ${'b'}`;
    const query = sql`SELECT ${1} WHERE ${inner} AND ${sql`x = ${'c'}`} LIMIT ${2}`;
    expect(query.text).toBe('SELECT $1 WHERE t.at > $2 AND t.kind = $3 AND x = $4 LIMIT $5');
    expect(query.values).toEqual([1, 'a', 'b', 'c', 2]);
  });

  it('joins parts with a separator and inlines raw text unbound', () => {
    const query = sql`(${join([sql`a = ${1}`, sql`b = ${2}`, raw('c IS NULL')], ' AND ')})${empty}`;
    expect(query.text).toBe('(a = $1 AND b = $2 AND c IS NULL)');
    expect(query.values).toEqual([1, 2]);
    expect(() => join([])).toThrow(TypeError);
  });

  it('has the shape Prisma\'s $queryRaw reads from a fragment (sql, text, values)', () => {
    const query = sql`SELECT ${1}, ${sql`${2}`}`;
    expect(query).toBeInstanceOf(Sql);
    expect(query.sql).toBe('SELECT ?, ?');
    expect(query.statement).toBe('SELECT :1, :2');
    expect(query.inspect()).toEqual({ sql: 'SELECT ?, ?', statement: 'SELECT :1, :2', text: 'SELECT $1, $2', values: [1, 2] });
  });
});
