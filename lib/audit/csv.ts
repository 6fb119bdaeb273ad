// RFC 4180: fields separated by commas, records by CRLF; a field holding a comma, a double quote,
// CR or LF is enclosed in double quotes, and a double quote inside it is doubled.

export type CsvValue = string | number | boolean | null;

export function quoteCsvField(value: CsvValue): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export const renderCsvRecord = <C extends string>(columns: readonly C[], row: Record<C, CsvValue>): string => `${columns.map((column) => quoteCsvField(row[column])).join(',')}\r\n`;

export const renderCsvHeader = (columns: readonly string[]): string => `${columns.map(quoteCsvField).join(',')}\r\n`;

export function renderCsv<C extends string>(columns: readonly C[], rows: ReadonlyArray<Record<C, CsvValue>>): string {
  return renderCsvHeader(columns) + rows.map((row) => renderCsvRecord(columns, row)).join('');
}

// The export's contract: names and order never change; a new column is only ever appended.
// README.md ("Failover audit") documents each one, and a unit test keeps the two in step.
export const failoverCsvColumns = [
  'id',
  'at',
  'observed_at',
  'cluster',
  'namespace',
  'lease',
  'kind',
  'cause',
  'from_holder',
  'to_holder',
  'is_restart',
  'leaderless_ms',
  'overlap_ms',
  'missed_count',
  'lease_transitions',
  'burst_start',
] as const;

export type FailoverCsvColumn = (typeof failoverCsvColumns)[number];
