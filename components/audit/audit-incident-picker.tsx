'use client';

import { fieldClass } from '@/components/ui/select';
import { MAX_MARGIN_MINUTES } from '@/lib/audit/window';

function toInputValue(iso: string | null): string {
  const ms = iso ? Date.parse(iso) : Number.NaN;
  return Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 19) : '';
}

// "Incident at T ± N minutes": the question people ask after an incident, as one form.
export function AuditIncidentPicker({ incident, margin, isActive, onApply }: { incident: string | null; margin: number; isActive: boolean; onApply: (incident: string, margin: number) => void }) {
  return (
    <form
      aria-label="Incident window (UTC)"
      className={`flex flex-wrap items-center gap-1 rounded-md px-1 text-sm ${isActive ? 'ring-2 ring-zinc-900 dark:ring-zinc-100' : ''}`}
      onSubmit={(event) => {
        event.preventDefault();
        const data = new FormData(event.currentTarget);
        const at = Date.parse(`${String(data.get('incident'))}Z`);
        const minutes = Number(data.get('margin'));
        if (Number.isFinite(at) && Number.isInteger(minutes) && minutes >= 1) onApply(new Date(at).toISOString().replace('.000Z', 'Z'), Math.min(minutes, MAX_MARGIN_MINUTES));
      }}
    >
      <label htmlFor="audit-incident" className="text-xs text-zinc-600 dark:text-zinc-400">
        Incident at
      </label>
      <input
        id="audit-incident"
        key={`incident-${incident}`}
        name="incident"
        type="datetime-local"
        step={1}
        required
        aria-label="Incident at (UTC)"
        defaultValue={toInputValue(incident)}
        className="rounded-md border border-zinc-300 bg-transparent px-1.5 py-0.5 text-xs dark:border-zinc-700"
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
    </form>
  );
}
