import { exactMicrosOf } from '../leases/micro-time';
import type { MicroTime } from '../leases/types';

// PostgreSQL's binary COPY format (https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.4):
// no text to parse on the server side, which is where plain COPY spends most of its time.

const signature = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

// Microseconds between the Unix epoch and PostgreSQL's epoch, 2000-01-01T00:00:00Z.
const pgEpochOffsetUs = 946_684_800_000_000n;

export type BinaryColumn = 'int4' | 'int8' | 'timestamptz' | 'bool' | 'text';

// Grows one buffer and writes tuples into it; `finish()` returns the bytes of one complete COPY stream.
export class BinaryCopyWriter {
  private buffer: Buffer;
  private offset = 0;
  private rowCount = 0;

  constructor(initialBytes = 64 * 1024) {
    this.buffer = Buffer.allocUnsafe(Math.max(initialBytes, 64));
    signature.copy(this.buffer, 0);
    this.buffer.writeInt32BE(0, 11); // flags
    this.buffer.writeInt32BE(0, 15); // header extension length
    this.offset = 19;
  }

  get rows(): number {
    return this.rowCount;
  }

  private ensure(bytes: number): void {
    if (this.offset + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.offset + bytes));
    this.buffer.copy(grown, 0, 0, this.offset);
    this.buffer = grown;
  }

  startRow(fields: number): void {
    this.ensure(2);
    this.buffer.writeInt16BE(fields, this.offset);
    this.offset += 2;
    this.rowCount += 1;
  }

  null(): void {
    this.ensure(4);
    this.buffer.writeInt32BE(-1, this.offset);
    this.offset += 4;
  }

  int4(value: number | null): void {
    if (value === null) return this.null();
    this.ensure(8);
    this.buffer.writeInt32BE(4, this.offset);
    this.buffer.writeInt32BE(value, this.offset + 4);
    this.offset += 8;
  }

  int8(value: bigint | number | null): void {
    if (value === null) return this.null();
    this.ensure(12);
    this.buffer.writeInt32BE(8, this.offset);
    this.buffer.writeBigInt64BE(BigInt(value), this.offset + 4);
    this.offset += 12;
  }

  bool(value: boolean | null): void {
    if (value === null) return this.null();
    this.ensure(5);
    this.buffer.writeInt32BE(1, this.offset);
    this.buffer.writeUInt8(value ? 1 : 0, this.offset + 4);
    this.offset += 5;
  }

  // Microseconds since the Unix epoch; written as PostgreSQL's int64 microseconds since 2000-01-01.
  timestamptzUs(unixMicros: number | null): void {
    if (unixMicros === null) return this.null();
    this.ensure(12);
    this.buffer.writeInt32BE(8, this.offset);
    // Two 32-bit halves: exact for every time a Lease can carry, and without a BigInt per row.
    const pgMicros = unixMicros - Number(pgEpochOffsetUs);
    const high = Math.floor(pgMicros / 2 ** 32);
    this.buffer.writeInt32BE(high, this.offset + 4);
    this.buffer.writeUInt32BE(pgMicros - high * 2 ** 32, this.offset + 8);
    this.offset += 12;
  }

  text(value: string | null): void {
    if (value === null) return this.null();
    const bytes = Buffer.byteLength(value);
    this.ensure(4 + bytes);
    this.buffer.writeInt32BE(bytes, this.offset);
    this.buffer.write(value, this.offset + 4, bytes, 'utf8');
    this.offset += 4 + bytes;
  }

  finish(): Buffer {
    this.ensure(2);
    this.buffer.writeInt16BE(-1, this.offset);
    return this.buffer.subarray(0, this.offset + 2);
  }
}

// PostgreSQL's time input rounds the fraction to microseconds with rint() (half to even); Kubernetes
// MicroTime carries exactly six digits, so this only matters for hand-written or foreign times.
export function microsOf(time: MicroTime): number {
  const exact = exactMicrosOf(time);
  if (exact !== undefined) return exact;
  const dot = time.iso.indexOf('.');
  if (dot < 0) return time.ms * 1000;
  let end = dot + 1;
  while (end < time.iso.length && time.iso.charCodeAt(end) >= 48 && time.iso.charCodeAt(end) <= 57) end += 1;
  const digits = time.iso.slice(dot + 1, end);
  const millisPart = Number(digits.slice(0, 3).padEnd(3, '0'));
  const nanos = Number(digits.slice(0, 9).padEnd(9, '0'));
  const whole = Math.floor(nanos / 1000);
  const rest = nanos - whole * 1000;
  const rounded = rest > 500 || (rest === 500 && whole % 2 === 1) ? whole + 1 : whole;
  return (time.ms - millisPart) * 1000 + rounded;
}
