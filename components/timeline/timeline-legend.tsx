'use client';

import { IdentityText } from '@/components/ui/identity-text';
import { markerTypes, type Marker } from '@/lib/ui/timeline';
import { degradedBandColor, degradedBandEdgeColor, markedMomentColor, markerColors } from './timeline-canvas';

export const markerLabels: Record<Marker['type'], string> = {
  early_takeover: 'early takeover',
  restart: 'restart (same host, new process)',
  missed: 'missed changes',
  resumed: 'renewed after expiry',
  reset: 'record went backwards',
  unknown_cause: 'cause unknown',
};

const hatched = (color: string, background: string) => ({ background: `repeating-linear-gradient(135deg, ${background} 0 3px, ${color} 3px 5px)` });

// Holders in view with their colours, the two states, and every marker kind.
export function TimelineLegend({
  holderColors,
  hasMarkedMoment,
  hasChurn = false,
  hasDegradedBands = false,
}: {
  holderColors: Map<string, string>;
  hasMarkedMoment: boolean;
  hasChurn?: boolean;
  hasDegradedBands?: boolean;
}) {
  return (
    <div className="space-y-1 text-xs text-zinc-700 dark:text-zinc-300" data-testid="timeline-legend">
      <ul aria-label="Holders in view" className="flex flex-wrap gap-x-3 gap-y-1">
        {[...holderColors].map(([holder, color]) => (
          <li key={holder} className="flex items-center gap-1" data-holder={holder} data-color={color}>
            <span className="h-2.5 w-4 shrink-0 rounded-sm" style={{ background: color }} aria-hidden="true" />
            <IdentityText value={holder} maxChars={32} />
          </li>
        ))}
        {holderColors.size === 0 ? <li className="text-zinc-600 dark:text-zinc-400">No holder in view</li> : null}
      </ul>
      <ul aria-label="States and markers" className="flex flex-wrap gap-x-3 gap-y-1">
        <li className="flex items-center gap-1">
          <span className="h-2.5 w-4 rounded-sm ring-1 ring-red-600" style={hatched('#dc2626', '#fee2e2')} aria-hidden="true" /> leaderless
        </li>
        <li className="flex items-center gap-1">
          <span className="h-2.5 w-4 rounded-sm ring-1 ring-zinc-400" style={hatched('#a1a1aa', '#f4f4f5')} aria-hidden="true" /> not observed
        </li>
        {hasChurn ? (
          <li className="flex items-center gap-1">
            <span className="h-2.5 w-4 rounded-sm ring-1 ring-orange-600" style={hatched('#ea580c', '#ffedd5')} aria-hidden="true" /> too many changes to draw: zoom in
          </li>
        ) : null}
        {hasDegradedBands ? (
          <li className="flex items-center gap-1" data-testid="legend-degraded-band">
            <span className="h-2.5 w-4 rounded-sm" style={{ background: degradedBandColor, borderTop: `2px solid ${degradedBandEdgeColor}` }} aria-hidden="true" /> API server degraded
          </li>
        ) : null}
        {markerTypes.map((type) => (
          <li key={type} className="flex items-center gap-1">
            <span style={{ color: markerColors[type] }} aria-hidden="true">
              ▲
            </span>
            {markerLabels[type]}
          </li>
        ))}
        {hasMarkedMoment ? (
          <li className="flex items-center gap-1">
            <span style={{ color: markedMomentColor }} aria-hidden="true">
              ▼
            </span>
            selected moment
          </li>
        ) : null}
      </ul>
    </div>
  );
}
