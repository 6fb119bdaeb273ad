import { checkLabelKey, checkLabelValue, LabelSelectorError, matchesLabelSelector, parseLabelSelector as parseShared, type LabelSelector } from '../leases/label-selector';
import { badRequestError } from './status';

/** labels.Parse (the one parser in lib/leases) and fields.ParseSelector, enough for what clients send when listing Leases. */

export type { LabelSelector };
export type FieldSelector = Array<{ field: 'metadata.name' | 'metadata.namespace'; op: '=' | '!='; value: string }>;

export function isQualifiedName(key: string): boolean {
  return checkLabelKey(key) === null;
}

export function isLabelValue(value: string): boolean {
  return checkLabelValue(value) === null;
}

export function parseLabelSelector(text: string | undefined): LabelSelector {
  try {
    return parseShared(text ?? '');
  } catch (error) {
    if (error instanceof LabelSelectorError) throw badRequestError(`unable to parse requirement: ${error.message}`);
    throw error;
  }
}

export function matchesLabels(selector: LabelSelector, labels: Record<string, string> | undefined): boolean {
  return matchesLabelSelector(selector, labels ?? {});
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
