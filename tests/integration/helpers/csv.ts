// A strict RFC 4180 reader for tests: records end in CRLF, a quoted field may hold commas, CRLF and
// doubled quotes, and anything else (a bare quote, a lone CR or LF, text after a closing quote, an
// unterminated quote, records of different widths) is an error rather than a guess.

type State = 'fieldStart' | 'unquoted' | 'quoted' | 'quoteInQuoted' | 'afterCr';

export class CsvError extends Error {
  override name = 'CsvError';
}

export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let state: State = 'fieldStart';
  const fail = (index: number, reason: string): never => {
    throw new CsvError(`${reason} at character ${index} (record ${records.length + 1})`);
  };
  const endField = () => {
    record.push(field);
    field = '';
  };
  const endRecord = () => {
    endField();
    records.push(record);
    record = [];
  };
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    switch (state) {
      case 'fieldStart':
      case 'unquoted':
        if (char === '"') {
          if (state === 'unquoted') fail(index, 'a double quote inside an unquoted field');
          state = 'quoted';
        } else if (char === ',') {
          endField();
          state = 'fieldStart';
        } else if (char === '\r') state = 'afterCr';
        else if (char === '\n') fail(index, 'a line feed without a carriage return');
        else {
          field += char;
          state = 'unquoted';
        }
        break;
      case 'quoted':
        if (char === '"') state = 'quoteInQuoted';
        else field += char;
        break;
      case 'quoteInQuoted':
        if (char === '"') {
          field += '"';
          state = 'quoted';
        } else if (char === ',') {
          endField();
          state = 'fieldStart';
        } else if (char === '\r') state = 'afterCr';
        else fail(index, `${JSON.stringify(char)} after a closing quote`);
        break;
      case 'afterCr':
        if (char !== '\n') fail(index, 'a carriage return without a line feed');
        endRecord();
        state = 'fieldStart';
        break;
    }
  }
  if (state === 'quoted') fail(text.length, 'an unterminated quoted field');
  if (state === 'afterCr') fail(text.length, 'a carriage return without a line feed');
  // A final CRLF is optional; without it the last record ends with the text.
  if (state !== 'fieldStart' || record.length > 0) endRecord();
  const width = records[0]?.length ?? 0;
  records.forEach((row, index) => {
    if (row.length !== width) throw new CsvError(`record ${index + 1} has ${row.length} fields, the header has ${width}`);
  });
  return records;
}

export function parseCsvRecords(text: string): { header: string[]; rows: Array<Record<string, string>> } {
  const [header = [], ...rows] = parseCsv(text);
  return { header, rows: rows.map((row) => Object.fromEntries(header.map((name, index) => [name, row[index]!]))) };
}
