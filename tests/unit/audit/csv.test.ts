import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { failoverCsvColumns, quoteCsvField, renderCsv } from '../../../lib/audit/csv';
import { CsvError, parseCsv } from '../../integration/helpers/csv';

describe('renderCsv', () => {
  it('writes a header and one record per row, each ended by CRLF', () => {
    expect(renderCsv(['a', 'b'], [{ a: 1, b: 'x' }, { a: null, b: true }])).toBe('a,b\r\n1,x\r\n,true\r\n');
  });

  it('quotes exactly the fields that hold a comma, a quote, CR or LF, doubling quotes', () => {
    expect(quoteCsvField('plain text')).toBe('plain text');
    expect(quoteCsvField('a,b')).toBe('"a,b"');
    expect(quoteCsvField('say "hi"')).toBe('"say ""hi"""');
    expect(quoteCsvField('two\r\nlines')).toBe('"two\r\nlines"');
    expect(quoteCsvField('lf\nonly')).toBe('"lf\nonly"');
    expect(quoteCsvField(' spaces kept ')).toBe(' spaces kept ');
    expect(quoteCsvField('')).toBe('');
    expect(quoteCsvField(false)).toBe('false');
    expect(quoteCsvField(0)).toBe('0');
  });

  it('round-trips awkward values through a strict RFC 4180 reader', () => {
    const alphabet = ['a', ',', '"', '\r', '\n', '\r\n', ' ', 'é', '=', '😀'];
    let seed = 7;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648);
    const rows = Array.from({ length: 300 }, () => {
      const value = Array.from({ length: next() % 8 }, () => alphabet[next() % alphabet.length]).join('');
      return { key: String(next() % 1000), value };
    });
    const parsed = parseCsv(renderCsv(['key', 'value'], rows));
    expect(parsed[0]).toEqual(['key', 'value']);
    expect(parsed.slice(1)).toEqual(rows.map((row) => [row.key, row.value]));
  });
});

describe('the strict reader used by the tests', () => {
  it.each([
    ['a,b\r\n"x"y,z\r\n', /after a closing quote/],
    ['a,b\r\nx"y,z\r\n', /double quote inside an unquoted field/],
    ['a,b\nx,y\n', /line feed without a carriage return/],
    ['a,b\r\n"open,z\r\n', /unterminated quoted field/],
    ['a,b\r\nx\r\n', /record 2 has 1 fields, the header has 2/],
  ])('refuses %j', (text, message) => {
    expect(() => parseCsv(text)).toThrow(CsvError);
    expect(() => parseCsv(text)).toThrow(message);
  });
});

describe('the failover CSV columns', () => {
  it('are documented, in order, in the README', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const start = readme.indexOf('\n## Failover audit\n');
    const end = readme.indexOf('\n## ', start + 1);
    const section = readme.slice(start, end === -1 ? undefined : end);
    const documented = [...section.matchAll(/^\| `([a-z_]+)` \|/gm)].map((match) => match[1]);
    expect(documented).toEqual([...failoverCsvColumns]);
  });
});
