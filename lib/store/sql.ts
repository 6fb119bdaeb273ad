// SQL fragments with bound values, composed by nesting (the shape of sql-template-tag, which Prisma.sql is):
// `text` carries $1..$n for node-postgres. Ours, so a module that builds SQL does not load Prisma; Prisma's
// $queryRaw also takes one as its only argument (it reads `text` and `values`), but never nested in a
// `$queryRaw\`…\`` template, where it would be bound as one value.
export class Sql {
  readonly strings: string[];
  readonly values: unknown[];

  constructor(rawStrings: readonly string[], rawValues: readonly unknown[]) {
    if (rawStrings.length - 1 !== rawValues.length) throw new TypeError(`expected ${rawStrings.length - 1} values, got ${rawValues.length}`);
    const strings = [rawStrings[0]!];
    const values: unknown[] = [];
    rawValues.forEach((value, i) => {
      const after = rawStrings[i + 1]!;
      if (value instanceof Sql) {
        strings.push(`${strings.pop()!}${value.strings[0]!}`);
        value.values.forEach((child, j) => {
          values.push(child);
          strings.push(value.strings[j + 1]!);
        });
        strings.push(`${strings.pop()!}${after}`);
      } else {
        values.push(value);
        strings.push(after);
      }
    });
    this.strings = strings;
    this.values = values;
  }

  get text(): string {
    return this.strings.reduce((text, part, i) => `${text}$${i}${part}`);
  }

  // Prisma's $queryRaw tells a fragment from a template by this property; `statement` and `inspect` complete
  // the shape its typings ask for.
  get sql(): string {
    return this.strings.join('?');
  }

  get statement(): string {
    return this.strings.reduce((text, part, i) => `${text}:${i}${part}`);
  }

  inspect(): { sql: string; statement: string; text: string; values: unknown[] } {
    return { sql: this.sql, statement: this.statement, text: this.text, values: this.values };
  }
}

export function sql(strings: TemplateStringsArray, ...values: unknown[]): Sql {
  return new Sql(strings, values);
}

// Trusted text only (identifiers, constants): it is not bound.
export function raw(text: string): Sql {
  return new Sql([text], []);
}

export const empty = raw('');

export function join(parts: readonly unknown[], separator = ','): Sql {
  if (parts.length === 0) throw new TypeError('join() needs at least one part');
  return new Sql(['', ...Array<string>(parts.length - 1).fill(separator), ''], parts);
}
