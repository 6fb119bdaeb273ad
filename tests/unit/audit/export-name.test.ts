import { describe, expect, it } from 'vitest';
import { exportFileName } from '../../../lib/audit/export-name';

describe('exportFileName', () => {
  it('names the window in ISO 8601 basic format, without colons or milliseconds', () => {
    const range = { from: new Date('2026-11-24T09:50:00.000Z'), to: Date.parse('2026-11-24T10:10:30.250Z') };
    expect(exportFileName(range, 'csv')).toBe('leasetrail-failovers-20261124T095000Z-20261124T101030Z.csv');
    expect(exportFileName(range, 'json')).toBe('leasetrail-failovers-20261124T095000Z-20261124T101030Z.json');
  });
});
