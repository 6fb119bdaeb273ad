// JSON data as a shorter JSON text: arrays of objects sharing their keys become columns, columns of
// few distinct values (holders, kinds, flags) a dictionary, and columns of ISO times the differences
// between their milliseconds; 5,000 transitions shrink to a quarter of their JSON, then to half that.
// unpackJson(packJson(value)) equals JSON.parse(JSON.stringify(value)) for any JSON data.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

type Primitive = null | boolean | number | string;

type Column = Json[] | { '~d': [Primitive[], number[]] } | { '~i': number[] };

// A table, and an object whose own keys would read as one of these markers.
type Packed = Json | { '~t': [string[], Column[], number] } | { '~o': Record<string, Json> };

const minRows = 8;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function sharedKeys(rows: unknown[]): string[] | undefined {
  const first = rows[0];
  if (!isRecord(first)) return undefined;
  const keys = Object.keys(first);
  if (keys.length === 0) return undefined;
  for (const row of rows) {
    if (!isRecord(row) || typeof row.toJSON === 'function') return undefined;
    const rowKeys = Object.keys(row);
    if (rowKeys.length !== keys.length || rowKeys.some((key, index) => key !== keys[index] || row[key] === undefined)) return undefined;
  }
  return keys;
}

const isPrimitive = (value: unknown): value is Primitive => value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

// A dictionary pays when a column has at most half as many distinct values as rows. Counting gives up
// once more than half of the rows seen so far were new, so timestamps and ids stop after a few rows.
function dictionaryOf(values: unknown[]): Column | undefined {
  const indices = new Map<Primitive, number>();
  const refs = new Array<number>(values.length);
  for (let row = 0; row < values.length; row += 1) {
    const value = values[row];
    if (!isPrimitive(value)) return undefined;
    let index = indices.get(value);
    if (index === undefined) {
      if ((indices.size + 1) * 2 > Math.min(Math.max(row + 1, minRows * 2), values.length)) return undefined;
      indices.set(value, (index = indices.size));
    }
    refs[row] = index;
  }
  return { '~d': [[...indices.keys()], refs] };
}

// `Date.prototype.toISOString`'s form, the one the API writes every time in (lib/api/dto.ts).
const isoTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

// A column of ISO times as its first time in milliseconds, then each time minus the one before: 27
// characters a time become 5 or 6 (and no quotes, which the page's stream escapes twice). Only times
// that print back to the very same text, so unpacking gives back the strings that were packed.
function isoColumnOf(values: unknown[]): Column | undefined {
  const deltas = new Array<number>(values.length);
  let previous = 0;
  for (let row = 0; row < values.length; row += 1) {
    const value = values[row];
    if (typeof value !== 'string' || !isoTime.test(value)) return undefined;
    const ms = Date.parse(value);
    if (!Number.isFinite(ms) || new Date(ms).toISOString() !== value) return undefined;
    deltas[row] = ms - previous;
    previous = ms;
  }
  return { '~i': deltas };
}

const packColumn = (values: unknown[]): Column => dictionaryOf(values) ?? isoColumnOf(values) ?? values.map(pack);

function pack(value: unknown): Packed {
  if (Array.isArray(value)) {
    const keys = value.length >= minRows ? sharedKeys(value) : undefined;
    if (!keys) return value.map((item) => (item === undefined ? null : pack(item)));
    const rows = value as Array<Record<string, unknown>>;
    return { '~t': [keys, keys.map((key) => packColumn(rows.map((row) => row[key]))), rows.length] };
  }
  if (!isRecord(value)) return value as Json;
  if (typeof value.toJSON === 'function') return pack(value.toJSON());
  const packed: Record<string, Json> = {};
  for (const [key, item] of Object.entries(value)) if (item !== undefined) packed[key] = pack(item) as Json;
  return '~t' in packed || '~o' in packed ? { '~o': packed } : packed;
}

function unpackColumn(column: Column, length: number): Json[] {
  if (Array.isArray(column)) return column.map(unpack);
  if ('~i' in column) {
    const deltas = column['~i'];
    const values = new Array<Json>(length);
    let ms = 0;
    for (let index = 0; index < length; index += 1) values[index] = new Date((ms += deltas[index]!)).toISOString();
    return values;
  }
  const [dictionary, refs] = column['~d'];
  const values = new Array<Json>(length);
  for (let index = 0; index < length; index += 1) values[index] = dictionary[refs[index]!]!;
  return values;
}

function unpack(value: Packed): Json {
  if (Array.isArray(value)) return value.map(unpack);
  if (!isRecord(value)) return value;
  if ('~t' in value) {
    const [keys, columns, length] = value['~t'] as [string[], Column[], number];
    const values = columns.map((column) => unpackColumn(column, length));
    const rows = new Array<Json>(length);
    for (let index = 0; index < length; index += 1) {
      const row: Record<string, Json> = {};
      for (let key = 0; key < keys.length; key += 1) row[keys[key]!] = values[key]![index]!;
      rows[index] = row;
    }
    return rows;
  }
  const entries = '~o' in value ? (value['~o'] as Record<string, Packed>) : value;
  const result: Record<string, Json> = {};
  for (const [key, item] of Object.entries(entries)) result[key] = unpack(item as Packed);
  return result;
}

export const packJson = (value: unknown): string => JSON.stringify(pack(value));

export const unpackJson = (text: string): unknown => unpack(JSON.parse(text) as Packed);
