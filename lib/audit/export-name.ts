// ISO 8601's basic format (20261124T100000Z): colons are not allowed in file names everywhere.
const stamp = (time: Date | number) => new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z').replaceAll(/[-:]/g, '');

export function exportFileName(range: { from: Date | number; to: Date | number }, extension: 'csv' | 'json'): string {
  return `leasetrail-failovers-${stamp(range.from)}-${stamp(range.to)}.${extension}`;
}
