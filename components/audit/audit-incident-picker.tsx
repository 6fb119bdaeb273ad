'use client';

import { useState } from 'react';
import { fieldClass } from '@/components/ui/select';
import { useTimeZone, useZoneName } from '@/components/ui/time-zone-select';
import { MAX_MARGIN_MINUTES } from '@/lib/audit/window';
import { formatWallTime, parseTimeExpression, wallTimeOf } from '@/lib/ui/time-zone';

// "Incident at T ± N minutes": the question people ask after an incident, as one form. The moment is
// typed in the chosen zone, 24-hour, like the range picker's.
export function AuditIncidentPicker({ incident, margin, isActive, onApply }: { incident: string | null; margin: number; isActive: boolean; onApply: (incident: string, margin: number) => void }) {
  const zone = useZoneName(useTimeZone());
  const [error, setError] = useState<string>();
  const incidentMs = incident ? Date.parse(incident) : Number.NaN;
  const label = zone === 'UTC' ? 'UTC' : zone;
  return (
    <form
      aria-label={`Incident window (${label})`}
      noValidate
      className={`flex flex-wrap items-center gap-1 rounded-md px-1 text-sm ${isActive ? 'ring-2 ring-zinc-900 dark:ring-zinc-100' : ''}`}
      onSubmit={(event) => {
        event.preventDefault();
        const data = new FormData(event.currentTarget);
        const at = parseTimeExpression(String(data.get('incident')), Date.now(), zone);
        const minutes = Number(data.get('margin'));
        if (!Number.isFinite(at)) setError(`Write the moment as YYYY-MM-DD HH:mm[:ss] in ${label}.`);
        else if (!Number.isInteger(minutes) || minutes < 1) setError('The margin is a whole number of minutes, at least 1.');
        else {
          setError(undefined);
          onApply(new Date(at).toISOString().replace('.000Z', 'Z'), Math.min(minutes, MAX_MARGIN_MINUTES));
        }
      }}
    >
      <label htmlFor="audit-incident" className="text-xs text-zinc-600 dark:text-zinc-400">
        Incident at
      </label>
      <input
        id="audit-incident"
        key={`incident-${incident}-${zone}`}
        name="incident"
        required
        spellCheck={false}
        placeholder="YYYY-MM-DD HH:mm:ss"
        aria-label={`Incident at (${label})`}
        aria-invalid={error ? true : undefined}
        defaultValue={Number.isFinite(incidentMs) ? formatWallTime(wallTimeOf(incidentMs, zone)) : ''}
        className="w-40 rounded-md border border-zinc-300 bg-transparent px-1.5 py-0.5 font-mono text-xs dark:border-zinc-700"
      />
      <label htmlFor="audit-margin" className="text-xs text-zinc-600 dark:text-zinc-400">
        ±
      </label>
      <input
        id="audit-margin"
        key={`margin-${margin}`}
        name="margin"
        type="number"
        min={1}
        max={MAX_MARGIN_MINUTES}
        required
        aria-label="Margin in minutes"
        defaultValue={margin}
        className={`w-16 text-xs ${fieldClass}`}
      />
      <span className="text-xs text-zinc-600 dark:text-zinc-400">min</span>
      <button type="submit" className="rounded-md border border-zinc-300 px-2 py-0.5 text-xs hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800">
        Show incident
      </button>
      {error ? (
        <p role="alert" className="w-full text-xs text-red-700 dark:text-red-400">
          {error}
        </p>
      ) : null}
    </form>
  );
}
