// Kubernetes label selectors (apimachinery `labels.Parse`): `a=b`, `a==b`, `a!=b`, `a in (x,y)`,
// `a notin (x)`, `a`, `!a`, `a>1`, `a<1`; a comma means AND; the empty selector matches every lease.
// Keys and values are validated as the API server validates them, so a selector kubectl refuses is refused here.

export type LabelRequirement =
  | { key: string; op: 'exists' | 'doesnotexist' }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'gt' | 'lt'; value: number };

export type LabelSelector = LabelRequirement[];

export class LabelSelectorError extends Error {}

const specialChars = new Set(['!', '=', '(', ')', ',', '<', '>']);
const isSpace = (char: string) => /\s/.test(char);

type Token = { kind: 'id' | 'op' | 'end'; text: string; at: number };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const char = text[i]!;
    if (isSpace(char)) {
      i += 1;
      continue;
    }
    if (specialChars.has(char)) {
      const two = text.slice(i, i + 2);
      const op = two === '!=' || two === '==' ? two : char;
      tokens.push({ kind: 'op', text: op, at: i });
      i += op.length;
      continue;
    }
    const start = i;
    while (i < text.length && !specialChars.has(text[i]!) && !isSpace(text[i]!)) i += 1;
    tokens.push({ kind: 'id', text: text.slice(start, i), at: start });
  }
  tokens.push({ kind: 'end', text: '', at: text.length });
  return tokens;
}

const nameRe = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const subdomainRe = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

// validation.IsQualifiedName: an optional DNS-subdomain prefix and a name of at most 63 characters.
export function checkLabelKey(key: string): string | null {
  const parts = key.split('/');
  if (parts.length > 2) return `invalid label key "${key}": a qualified name has at most one "/" (an optional DNS subdomain prefix and a name)`;
  const name = parts.at(-1)!;
  if (parts.length === 2) {
    const prefix = parts[0]!;
    if (prefix.length === 0) return `invalid label key "${key}": the prefix before "/" must not be empty`;
    if (prefix.length > 253) return `invalid label key "${key}": the prefix must be at most 253 characters`;
    if (!subdomainRe.test(prefix)) return `invalid label key "${key}": the prefix must be a lowercase DNS subdomain (e.g. example.com)`;
  }
  if (name.length === 0) return `invalid label key "${key}": the name part must not be empty`;
  if (name.length > 63) return `invalid label key "${key}": the name part must be at most 63 characters`;
  if (!nameRe.test(name)) return `invalid label key "${key}": the name must consist of alphanumerics, "-", "_" or ".", and start and end with an alphanumeric`;
  return null;
}

// validation.IsValidLabelValue: empty, or at most 63 characters of the same alphabet as a name.
export function checkLabelValue(value: string): string | null {
  if (value.length === 0) return null;
  if (value.length > 63) return `invalid label value "${value}": must be at most 63 characters`;
  if (!nameRe.test(value)) return `invalid label value "${value}": must be empty or consist of alphanumerics, "-", "_" or ".", and start and end with an alphanumeric`;
  return null;
}

export function parseLabelSelector(text: string): LabelSelector {
  const tokens = tokenize(text);
  let position = 0;
  const peek = () => tokens[position]!;
  const next = () => tokens[position++]!;
  const fail = (message: string, token: Token): never => {
    throw new LabelSelectorError(`invalid label selector "${text}": ${message} at position ${token.at + 1}`);
  };
  const describe = (token: Token) => (token.kind === 'end' ? 'the end' : `"${token.text}"`);
  const key = (token: Token): string => {
    if (token.kind !== 'id') fail(`expected a label key, found ${describe(token)}`, token);
    const problem = checkLabelKey(token.text);
    if (problem) fail(problem, token);
    return token.text;
  };
  const value = (token: Token): string => {
    const problem = checkLabelValue(token.text);
    if (problem) fail(problem, token);
    return token.text;
  };

  const requirements: LabelRequirement[] = [];
  if (peek().kind === 'end') return requirements;
  for (;;) {
    const first = next();
    if (first.kind === 'op' && first.text === '!') {
      const name = key(next());
      const after = peek();
      if (!(after.kind === 'end' || (after.kind === 'op' && after.text === ','))) fail(`"!${name}" takes no operator or value (found ${describe(after)})`, after);
      requirements.push({ key: name, op: 'doesnotexist' });
    } else {
      const name = key(first);
      const op = next();
      if (op.kind === 'end' || (op.kind === 'op' && op.text === ',')) {
        requirements.push({ key: name, op: 'exists' });
        position -= 1;
      } else if (op.kind === 'op' && (op.text === '=' || op.text === '==' || op.text === '!=')) {
        const token = peek();
        const single = token.kind === 'id' ? value(next()) : token.kind === 'end' || (token.kind === 'op' && token.text === ',') ? '' : fail(`expected a value after "${op.text}", found ${describe(token)}`, token);
        requirements.push({ key: name, op: op.text === '!=' ? 'notin' : 'in', values: [single] });
      } else if (op.kind === 'op' && (op.text === '<' || op.text === '>')) {
        const token = next();
        if (token.kind !== 'id' || !/^-?\d+$/.test(token.text) || !Number.isSafeInteger(Number(token.text))) fail(`"${op.text}" needs a whole number, found ${describe(token)}`, token);
        requirements.push({ key: name, op: op.text === '>' ? 'gt' : 'lt', value: Number(token.text) });
      } else if (op.kind === 'id' && (op.text === 'in' || op.text === 'notin')) {
        const open = next();
        if (!(open.kind === 'op' && open.text === '(')) fail(`expected "(" after "${op.text}", found ${describe(open)}`, open);
        const values: string[] = [];
        for (;;) {
          const token = next();
          if (token.kind === 'id') {
            values.push(value(token));
            const sep = next();
            if (sep.kind === 'op' && sep.text === ')') break;
            if (!(sep.kind === 'op' && sep.text === ',')) fail(`expected "," or ")" in the value list, found ${describe(sep)}`, sep);
          } else if (token.kind === 'op' && token.text === ',') {
            values.push('');
          } else if (token.kind === 'op' && token.text === ')') {
            if (values.length > 0) values.push('');
            break;
          } else {
            fail(`expected a value or ")" in the value list, found ${describe(token)}`, token);
          }
        }
        if (values.length === 0) fail(`"${op.text}" needs at least one value`, open);
        requirements.push({ key: name, op: op.text, values: [...new Set(values)] });
      } else {
        fail(`expected one of =, ==, !=, in, notin, <, > or "," after "${name}", found ${describe(op)}`, op);
      }
    }
    const sep = next();
    if (sep.kind === 'end') return requirements;
    if (!(sep.kind === 'op' && sep.text === ',')) fail(`expected "," between requirements, found ${describe(sep)}`, sep);
    if (peek().kind === 'end') fail('a selector must not end with ","', peek());
  }
}

export function matchesLabelSelector(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  return selector.every((requirement) => {
    const has = Object.hasOwn(labels, requirement.key);
    const actual = has ? labels[requirement.key]! : undefined;
    switch (requirement.op) {
      case 'exists':
        return has;
      case 'doesnotexist':
        return !has;
      case 'in':
        return has && requirement.values.includes(actual!);
      case 'notin':
        return !has || !requirement.values.includes(actual!);
      case 'gt':
      case 'lt': {
        if (!has || !/^-?\d{1,18}$/.test(actual!)) return false;
        const number = Number(actual);
        return requirement.op === 'gt' ? number > requirement.value : number < requirement.value;
      }
    }
  });
}

// Matching a text selector in one call: an invalid one (validated at every write boundary) matches nothing.
export function matchesLabelSelectorText(text: string, labels: Readonly<Record<string, string>>): boolean {
  try {
    return matchesLabelSelector(parseLabelSelector(text), labels);
  } catch {
    return false;
  }
}
