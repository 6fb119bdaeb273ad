import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { getDMMF } from '@prisma/get-dmmf';
import type pg from 'pg';

type Datamodel = Extract<Awaited<ReturnType<typeof getDMMF>>, { datamodel: unknown }>['datamodel'];
type Model = Datamodel['models'][number];
type Field = Model['fields'][number];

export async function readDatamodel(): Promise<Datamodel> {
  const schema = await readFile(path.resolve('prisma', 'schema.prisma'), 'utf8');
  const result = await getDMMF({ datamodel: schema });
  if (!('datamodel' in result)) throw new Error(`schema.prisma does not parse: ${result.reason}`);
  return result.datamodel;
}

const scalarTypes: Record<string, string> = {
  Int: 'int4',
  BigInt: 'int8',
  String: 'text',
  Boolean: 'bool',
  Float: 'float8',
  Json: 'jsonb',
  Decimal: 'numeric',
  Bytes: 'bytea',
  DateTime: 'timestamp',
};

const nativeTypes: Record<string, string> = {
  Timestamptz: 'timestamptz',
  Timestamp: 'timestamp',
  VarChar: 'varchar',
  Text: 'text',
  Uuid: 'uuid',
  SmallInt: 'int2',
  Integer: 'int4',
  BigInt: 'int8',
  DoublePrecision: 'float8',
  Real: 'float4',
  JsonB: 'jsonb',
  Json: 'json',
};

// What PostgreSQL should report for a Prisma field: base type name and, for timestamps, precision.
function expectedColumnType(field: Field): { udt: string; precision: number | null } {
  const [native, args] = field.nativeType ?? [];
  const base = field.kind === 'enum' ? field.type : native ? nativeTypes[native] ?? native.toLowerCase() : scalarTypes[field.type] ?? field.type;
  const udt = field.isList ? `_${base}` : base;
  if (field.type !== 'DateTime') return { udt, precision: null };
  const precision = Array.isArray(args) && args[0] !== undefined ? Number(args[0]) : 3;
  return { udt, precision };
}

const deleteActions: Record<string, string> = { a: 'NoAction', r: 'Restrict', c: 'Cascade', n: 'SetNull', d: 'SetDefault' };

type ColumnRow = { table_name: string; column_name: string; udt_name: string; is_nullable: 'YES' | 'NO'; datetime_precision: number | null; column_default: string | null };
type IndexRow = { table_name: string; index_name: string; is_unique: boolean; is_primary: boolean; method: string; columns: string[] };
type ForeignKeyRow = { table_name: string; columns: string[]; target_table: string; target_columns: string[]; on_delete: string };
type EnumRow = { name: string; labels: string[] };

async function readCatalog(client: pg.Client) {
  // Partitions are compared through their parent (and by diffPartitioning), not as tables of their own.
  const isPartition = (alias: string) => `EXISTS (SELECT 1 FROM pg_class p WHERE p.relname = ${alias} AND p.relnamespace = 'public'::regnamespace AND p.relispartition)`;
  const tables = await client.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND NOT ${isPartition('table_name')}`,
  );
  const columns = await client.query<ColumnRow>(
    `SELECT table_name, column_name, udt_name, is_nullable, datetime_precision, column_default
       FROM information_schema.columns WHERE table_schema = 'public' AND NOT ${isPartition('table_name')}`,
  );
  const indexes = await client.query<IndexRow>(
    `SELECT t.relname AS table_name, i.relname AS index_name, ix.indisunique AS is_unique, ix.indisprimary AS is_primary, am.amname AS method,
            array_agg(a.attname ORDER BY k.ord)::text[] AS columns
       FROM pg_index ix
       JOIN pg_class i ON i.oid = ix.indexrelid
       JOIN pg_class t ON t.oid = ix.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = 'public' AND NOT t.relispartition
       JOIN pg_am am ON am.oid = i.relam
       CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
      GROUP BY t.relname, i.relname, ix.indisunique, ix.indisprimary, am.amname`,
  );
  const foreignKeys = await client.query<ForeignKeyRow>(
    `SELECT t.relname AS table_name, ft.relname AS target_table, c.confdeltype AS on_delete,
            (SELECT array_agg(a.attname ORDER BY k.ord)::text[] FROM unnest(c.conkey) WITH ORDINALITY k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum) AS columns,
            (SELECT array_agg(a.attname ORDER BY k.ord)::text[] FROM unnest(c.confkey) WITH ORDINALITY k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum) AS target_columns
       FROM pg_constraint c
       JOIN pg_class t ON t.oid = c.conrelid
       JOIN pg_class ft ON ft.oid = c.confrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = 'public'
      WHERE c.contype = 'f' AND NOT t.relispartition AND NOT ft.relispartition`,
  );
  const enums = await client.query<EnumRow>(
    `SELECT t.typname AS name, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text[] AS labels
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
       JOIN pg_namespace n ON n.oid = t.typnamespace AND n.nspname = 'public'
      GROUP BY t.typname`,
  );
  return { tables: tables.rows, columns: columns.rows, indexes: indexes.rows, foreignKeys: foreignKeys.rows, enums: enums.rows };
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((value, index) => value === b[index]);
const ignoredTables = new Set(['_prisma_migrations']);

// Every difference between schema.prisma and the live database, as readable lines; [] means they match.
export async function diffSchemaWithDatabase(datamodel: Datamodel, client: pg.Client): Promise<string[]> {
  const catalog = await readCatalog(client);
  const problems: string[] = [];
  const tableOf = (model: Model) => model.dbName ?? model.name;
  const columnOf = (model: Model, fieldName: string) => {
    const field = model.fields.find((f) => f.name === fieldName);
    return field?.dbName ?? fieldName;
  };

  const expectedTables = new Set(datamodel.models.map(tableOf));
  for (const { table_name } of catalog.tables) {
    if (!expectedTables.has(table_name) && !ignoredTables.has(table_name)) problems.push(`table ${table_name} exists in the database but not in schema.prisma`);
  }

  for (const anEnum of datamodel.enums) {
    const dbEnum = catalog.enums.find((e) => e.name === (anEnum.dbName ?? anEnum.name));
    const values = anEnum.values.map((v) => v.dbName ?? v.name);
    if (!dbEnum) problems.push(`enum ${anEnum.name} is missing`);
    else if (!sameList(dbEnum.labels, values)) problems.push(`enum ${anEnum.name} has values [${dbEnum.labels}] instead of [${values}]`);
  }
  for (const dbEnum of catalog.enums) {
    if (!datamodel.enums.some((e) => (e.dbName ?? e.name) === dbEnum.name)) problems.push(`enum ${dbEnum.name} exists in the database but not in schema.prisma`);
  }

  for (const model of datamodel.models) {
    const table = tableOf(model);
    if (!catalog.tables.some((t) => t.table_name === table)) {
      problems.push(`table ${table} is missing`);
      continue;
    }
    const columns = catalog.columns.filter((c) => c.table_name === table);
    const fields = model.fields.filter((f) => f.kind === 'scalar' || f.kind === 'enum');
    for (const field of fields) {
      const name = field.dbName ?? field.name;
      const column = columns.find((c) => c.column_name === name);
      if (!column) {
        problems.push(`column ${table}.${name} is missing`);
        continue;
      }
      const expected = expectedColumnType(field);
      if (column.udt_name !== expected.udt) problems.push(`column ${table}.${name} is ${column.udt_name}, expected ${expected.udt}`);
      if (expected.precision !== null && column.datetime_precision !== expected.precision) {
        problems.push(`column ${table}.${name} has precision ${column.datetime_precision}, expected ${expected.precision}`);
      }
      // Prisma creates scalar-list columns without NOT NULL.
      const nullable = field.isList || !field.isRequired;
      if ((column.is_nullable === 'YES') !== nullable) problems.push(`column ${table}.${name} is ${column.is_nullable === 'YES' ? 'nullable' : 'NOT NULL'}, expected ${nullable ? 'nullable' : 'NOT NULL'}`);
      const hasDbDefault = field.hasDefaultValue && !field.isUpdatedAt;
      if ((column.column_default !== null) !== hasDbDefault) problems.push(`column ${table}.${name} ${column.column_default === null ? 'has no default' : `has default ${column.column_default}`}, expected ${hasDbDefault ? 'a default' : 'none'}`);
    }
    for (const column of columns) {
      if (!fields.some((f) => (f.dbName ?? f.name) === column.column_name)) problems.push(`column ${table}.${column.column_name} exists in the database but not in schema.prisma`);
    }

    const indexes = catalog.indexes.filter((i) => i.table_name === table);
    const matched = new Set<string>();
    for (const index of datamodel.indexes.filter((i) => i.model === model.name)) {
      const wanted = index.fields.map((f) => columnOf(model, f.name));
      const method = (index.algorithm ?? 'BTree').toLowerCase();
      const found = indexes.find(
        (i) =>
          sameList(i.columns, wanted) &&
          i.is_primary === (index.type === 'id') &&
          i.is_unique === (index.type === 'id' || index.type === 'unique') &&
          i.method === method,
      );
      if (found) matched.add(found.index_name);
      else problems.push(`${index.type === 'id' ? 'primary key' : index.type === 'unique' ? 'unique index' : `${method} index`} on ${table}(${wanted.join(', ')}) is missing`);
    }
    for (const index of indexes) {
      if (!matched.has(index.index_name)) problems.push(`index ${index.index_name} on ${table}(${index.columns.join(', ')}) exists in the database but not in schema.prisma`);
    }

    const foreignKeys = catalog.foreignKeys.filter((fk) => fk.table_name === table);
    const relations = model.fields.filter((f) => f.kind === 'object' && (f.relationFromFields?.length ?? 0) > 0);
    for (const relation of relations) {
      const target = datamodel.models.find((m) => m.name === relation.type);
      if (!target) continue;
      const from = (relation.relationFromFields ?? []).map((f) => columnOf(model, f));
      const to = (relation.relationToFields ?? []).map((f) => columnOf(target, f));
      const onDelete = relation.relationOnDelete ?? (relation.isRequired ? 'Restrict' : 'SetNull');
      const fk = foreignKeys.find((k) => sameList(k.columns, from) && k.target_table === tableOf(target) && sameList(k.target_columns, to));
      if (!fk) problems.push(`foreign key ${table}(${from.join(', ')}) -> ${tableOf(target)}(${to.join(', ')}) is missing`);
      else if (deleteActions[fk.on_delete] !== onDelete) problems.push(`foreign key ${table}(${from.join(', ')}) deletes with ${deleteActions[fk.on_delete]}, expected ${onDelete}`);
    }
    if (foreignKeys.length !== relations.length) problems.push(`table ${table} has ${foreignKeys.length} foreign keys, schema.prisma declares ${relations.length}`);
  }
  return problems;
}

export type PartitionSpec = { table: string; column: string };

// What schema.prisma cannot say: which tables are range-partitioned and on which column (as
// lib/store/partitions.ts declares them), that each has a DEFAULT partition, and that every partition
// carries every index of its parent (an index built on the parent alone would leave partitions unindexed).
export async function diffPartitioning(expected: PartitionSpec[], client: pg.Client): Promise<string[]> {
  const problems: string[] = [];
  const { rows: partitioned } = await client.query<{ table_name: string; key: string }>(
    `SELECT c.relname AS table_name, pg_get_partkeydef(c.oid) AS key FROM pg_class c WHERE c.relkind = 'p' AND c.relnamespace = 'public'::regnamespace`,
  );
  for (const spec of expected) {
    const found = partitioned.find((p) => p.table_name === spec.table);
    if (!found) problems.push(`table ${spec.table} is not partitioned, expected RANGE ("${spec.column}")`);
    else if (found.key.replaceAll('"', '') !== `RANGE (${spec.column})`) problems.push(`table ${spec.table} is partitioned by ${found.key}, expected RANGE ("${spec.column}")`);
  }
  for (const { table_name } of partitioned) {
    if (!expected.some((spec) => spec.table === table_name)) problems.push(`table ${table_name} is partitioned but lib/store/partitions.ts does not declare it`);
  }
  const { rows: defaults } = await client.query<{ table_name: string }>(
    `SELECT parent.relname AS table_name FROM pg_partitioned_table pt JOIN pg_class parent ON parent.oid = pt.partrelid WHERE pt.partdefid <> 0`,
  );
  for (const spec of expected) {
    if (partitioned.some((p) => p.table_name === spec.table) && !defaults.some((d) => d.table_name === spec.table)) problems.push(`table ${spec.table} has no DEFAULT partition`);
  }
  const { rows: unindexed } = await client.query<{ partition: string; index_name: string }>(
    `SELECT part.relname AS partition, pi.relname AS index_name
       FROM pg_class parent
       JOIN pg_inherits inh ON inh.inhparent = parent.oid
       JOIN pg_class part ON part.oid = inh.inhrelid
       JOIN pg_index pix ON pix.indrelid = parent.oid
       JOIN pg_class pi ON pi.oid = pix.indexrelid
      WHERE parent.relkind = 'p' AND parent.relnamespace = 'public'::regnamespace
        AND NOT EXISTS (SELECT 1 FROM pg_inherits ii JOIN pg_index cix ON cix.indexrelid = ii.inhrelid WHERE ii.inhparent = pix.indexrelid AND cix.indrelid = part.oid)`,
  );
  for (const row of unindexed) problems.push(`partition ${row.partition} lacks index ${row.index_name} of its parent`);
  return problems;
}
