import type { LabelSelector } from '../leases/label-selector';
import { type Sql, sql, raw, join } from './sql';

// A parsed label selector as a condition on a jsonb labels column, the same truth as matchesLabelSelector.
export function labelSelectorSql(selector: LabelSelector, labels: Sql): Sql {
  if (selector.length === 0) return sql`true`;
  const parts = selector.map((requirement) => {
    const value = sql`(${labels} ->> ${requirement.key}::text)`;
    switch (requirement.op) {
      case 'exists':
        return sql`${value} IS NOT NULL`;
      case 'doesnotexist':
        return sql`${value} IS NULL`;
      case 'in':
        return sql`${value} = ANY(${requirement.values}::text[])`;
      case 'notin':
        return sql`(${value} IS NULL OR NOT (${value} = ANY(${requirement.values}::text[])))`;
      case 'gt':
      case 'lt':
        return sql`(${value} ~ '^-?[0-9]{1,18}$' AND ${value}::bigint ${raw(requirement.op === 'gt' ? '>' : '<')} ${requirement.value}::bigint)`;
    }
  });
  return sql`(${join(parts, ' AND ')})`;
}
