import { badRequestError } from './status';

/** labels.Parse and fields.ParseSelector, enough for what clients send when listing Leases. */

type LabelRequirement =
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | 'doesnotexist' }
  | { key: string; op: 'gt' | 'lt'; value: number };

export type LabelSelector = LabelRequirement[];
export type FieldSelector = Array<{ field: 'metadata.name' | 'metadata.namespace'; op: '=' | '!='; value: string }>;

const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const labelName = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function isQualifiedName(key: string): boolean {
  const slash = key.indexOf('/');
  const name = slash === -1 ? key : key.slice(slash + 1);
  const prefix = slash === -1 ? undefined : key.slice(0, slash);
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !dnsSubdomain.test(prefix))) return false;
  return name.length > 0 && name.length <= 63 && labelName.test(name);
}

export function isLabelValue(value: string): boolean {
  return value.length <= 63 && labelValue.test(value);
}

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === ' ' || ch === '\t') {
      i++;
    } else if ('(),'.includes(ch)) {
      tokens.push(ch);
      i++;
    } else if (text.startsWith('==', i) || text.startsWith('!=', i)) {
      tokens.push(text.slice(i, i + 2));
      i += 2;
    } else if ('=!<>'.includes(ch)) {
      tokens.push(ch);
      i++;
    } else {
      let j = i;
      while (j < text.length && !' \t(),=!<>'.includes(text[j]!)) j++;
      tokens.push(text.slice(i, j));
      i = j;
    }
  }
  return tokens;
}

export function parseLabelSelector(text: string | undefined): LabelSelector {
  if (text === undefined || text.trim() === '') return [];
  const tokens = tokenize(text);
  const requirements: LabelSelector = [];
  let pos = 0;
  const fail = (why: string) => badRequestError(`unable to parse requirement: ${why}`);
  const key = (): string => {
    const token = tokens[pos++];
    if (token === undefined || !isQualifiedName(token)) throw fail(`invalid label key "${token ?? ''}"`);
    return token;
  };
  const value = (allowEmpty: boolean): string => {
    const token = tokens[pos];
    if (token === undefined || ',()'.includes(token) || /^[=!<>]/.test(token)) {
      if (allowEmpty) return '';
      throw fail('found end of input, expected a value');
    }
    pos++;
    if (!isLabelValue(token)) throw fail(`invalid label value: "${token}"`);
    return token;
  };
  for (;;) {
    if (tokens[pos] === '!') {
      pos++;
      requirements.push({ key: key(), op: 'doesnotexist' });
    } else {
      const k = key();
      const op = tokens[pos];
      if (op === undefined || op === ',') {
        requirements.push({ key: k, op: 'exists' });
      } else if (op === '=' || op === '==' || op === '!=') {
        pos++;
        requirements.push({ key: k, op: op === '!=' ? 'notin' : 'in', values: [value(true)] });
      } else if (op === 'in' || op === 'notin') {
        pos++;
        if (tokens[pos++] !== '(') throw fail(`found '${tokens[pos - 1] ?? ''}', expected: '('`);
        const values: string[] = [];
        while (tokens[pos] !== ')') {
          values.push(value(true));
          if (tokens[pos] === ',') pos++;
          else if (tokens[pos] !== ')') throw fail(`found '${tokens[pos] ?? ''}', expected: ',' or ')'`);
        }
        pos++;
        requirements.push({ key: k, op, values });
      } else if (op === '<' || op === '>') {
        pos++;
        const raw = value(false);
        const n = Number(raw);
        if (!Number.isInteger(n)) throw fail(`for 'Gt', 'Lt' operators, the value must be an integer`);
        requirements.push({ key: k, op: op === '>' ? 'gt' : 'lt', value: n });
      } else {
        throw fail(`found '${op}', expected: in, notin, =, ==, !=, gt, lt`);
      }
    }
    if (pos >= tokens.length) break;
    if (tokens[pos++] !== ',') throw fail(`found '${tokens[pos - 1]}', expected: ','`);
  }
  return requirements;
}

export function matchesLabels(selector: LabelSelector, labels: Record<string, string> | undefined): boolean {
  return selector.every((req) => {
    const has = labels !== undefined && Object.hasOwn(labels, req.key);
    const actual = has ? labels[req.key]! : undefined;
    switch (req.op) {
      case 'exists':
        return has;
      case 'doesnotexist':
        return !has;
      case 'in':
        return has && req.values.includes(actual!);
      case 'notin':
        return !has || !req.values.includes(actual!);
      case 'gt':
      case 'lt': {
        const n = Number(actual);
        if (!has || !Number.isInteger(n)) return false;
        return req.op === 'gt' ? n > req.value : n < req.value;
      }
    }
  });
}

export function parseFieldSelector(text: string | undefined): FieldSelector {
  if (text === undefined || text.trim() === '') return [];
  return text.split(',').map((part) => {
    const match = /^\s*([^=!\s]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(part);
    if (!match) throw badRequestError(`invalid selector: '${text}'; can't understand '${part}'`);
    const [, field, op, value = ''] = match;
    if (field !== 'metadata.name' && field !== 'metadata.namespace') throw badRequestError(`field label not supported: ${field}`);
    return { field, op: op === '!=' ? '!=' : '=', value };
  });
}

export function matchesFields(selector: FieldSelector, meta: { name: string; namespace: string }): boolean {
  return selector.every((req) => {
    const actual = req.field === 'metadata.name' ? meta.name : meta.namespace;
    return req.op === '=' ? actual === req.value : actual !== req.value;
  });
}
