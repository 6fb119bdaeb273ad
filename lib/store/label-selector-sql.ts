import type { LabelSelector } from '../leases/label-selector';
import { Prisma } from './generated/prisma/client';

// A parsed label selector as a condition on a jsonb labels column, the same truth as matchesLabelSelector.
export function labelSelectorSql(selector: LabelSelector, labels: Prisma.Sql): Prisma.Sql {
  if (selector.length === 0) return Prisma.sql`true`;
  const parts = selector.map((requirement) => {
    const value = Prisma.sql`(${labels} ->> ${requirement.key}::text)`;
    switch (requirement.op) {
      case 'exists':
        return Prisma.sql`${value} IS NOT NULL`;
      case 'doesnotexist':
        return Prisma.sql`${value} IS NULL`;
      case 'in':
        return Prisma.sql`${value} = ANY(${requirement.values}::text[])`;
      case 'notin':
        return Prisma.sql`(${value} IS NULL OR NOT (${value} = ANY(${requirement.values}::text[])))`;
      case 'gt':
      case 'lt':
        return Prisma.sql`(${value} ~ '^-?[0-9]{1,18}$' AND ${value}::bigint ${Prisma.raw(requirement.op === 'gt' ? '>' : '<')} ${requirement.value}::bigint)`;
    }
  });
  return Prisma.sql`(${Prisma.join(parts, ' AND ')})`;
}
