import { describe, expect, it } from 'vitest';
import { resolveAuditWindow, type AuditWindowSelection } from '../../../lib/audit/window';

const now = Date.parse('2026-11-24T12:00:00Z');
const base: AuditWindowSelection = { range: '1h', from: null, to: null, incident: null, margin: 10 };

describe('resolveAuditWindow', () => {
  it('slides a preset with now', () => {
    expect(resolveAuditWindow({ ...base, range: '15m' }, now)).toEqual({ from: now - 900_000, to: now, mode: 'preset' });
  });

  it('takes an incident ± margin minutes', () => {
    expect(resolveAuditWindow({ ...base, incident: '2026-11-24T10:00:00Z', margin: 10 }, now)).toEqual({
      from: Date.parse('2026-11-24T09:50:00Z'),
      to: Date.parse('2026-11-24T10:10:00Z'),
      mode: 'incident',
    });
  });

  it('keeps an incident window whole when it reaches past now', () => {
    expect(resolveAuditWindow({ ...base, incident: '2026-11-24T11:55:00Z', margin: 10 }, now).to).toBe(Date.parse('2026-11-24T12:05:00Z'));
  });

  it('clamps the margin to at least a minute and at most a week', () => {
    const incident = '2026-11-24T10:00:00Z';
    expect(resolveAuditWindow({ ...base, incident, margin: 0 }, now).from).toBe(Date.parse('2026-11-24T09:59:00Z'));
    expect(resolveAuditWindow({ ...base, incident, margin: 1e9 }, now).from).toBe(Date.parse(incident) - 7 * 86_400_000);
  });

  it('lets a custom range win over an incident and a preset', () => {
    const window = resolveAuditWindow({ ...base, from: '2026-11-24T08:00:00Z', to: '2026-11-24T08:30:00Z', incident: '2026-11-24T10:00:00Z' }, now);
    expect(window).toEqual({ from: Date.parse('2026-11-24T08:00:00Z'), to: Date.parse('2026-11-24T08:30:00Z'), mode: 'custom' });
  });

  it('falls back to the preset when the custom range or the incident is unreadable', () => {
    expect(resolveAuditWindow({ ...base, from: 'yesterday', to: 'today', incident: 'at noon' }, now)).toEqual({ from: now - 3_600_000, to: now, mode: 'preset' });
  });
});
