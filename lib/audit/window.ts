import { maxRangeMs, resolveRange, type RangePreset } from '../ui/time-range';
import { isRelativeTime, parseTimeExpression } from '../ui/time-zone';

export type AuditWindowSelection = {
  range: RangePreset;
  from: string | null;
  to: string | null;
  /** the moment of an incident; the window is incident ± margin minutes */
  incident: string | null;
  margin: number;
};

export type AuditWindowMode = 'custom' | 'relative' | 'incident' | 'preset';

export type AuditWindow = { from: number; to: number; mode: AuditWindowMode };

export const DEFAULT_MARGIN_MINUTES = 10;
export const MAX_MARGIN_MINUTES = 7 * 24 * 60;

// Custom from/to wins, then an incident, then the preset. An incident window is left whole even
// when it reaches past now: a link sent during the incident shows the full window once it is over.
export function resolveAuditWindow(selection: AuditWindowSelection, now: number): AuditWindow {
  const from = selection.from ? parseTimeExpression(selection.from, now) : Number.NaN;
  const to = selection.to ? parseTimeExpression(selection.to, now) : Number.NaN;
  if (Number.isFinite(from) && Number.isFinite(to) && from < to) return { from, to: Math.min(to, from + maxRangeMs), mode: isRelativeTime(selection.to ?? '') ? 'relative' : 'custom' };
  const incident = selection.incident ? Date.parse(selection.incident) : Number.NaN;
  if (Number.isFinite(incident)) {
    const margin = Math.min(MAX_MARGIN_MINUTES, Math.max(1, Math.round(selection.margin))) * 60_000;
    return { from: incident - margin, to: incident + margin, mode: 'incident' };
  }
  return { ...resolveRange({ range: selection.range, from: null, to: null, at: null }, now), mode: 'preset' };
}
