'use client';

const options: Array<{ label: string; value: number | false }> = [
  { label: 'Off', value: false },
  { label: '10 s', value: 10_000 },
  { label: '30 s', value: 30_000 },
  { label: '1 m', value: 60_000 },
  { label: '5 m', value: 300_000 },
];

// For pages that live updates do not refresh on their own (audits, summaries): Grafana's refresh picker.
export function AutoRefreshSelect({ value, onChange }: { value: number | false; onChange: (value: number | false) => void }) {
  return (
    <label className="flex items-center gap-1 text-xs text-zinc-700 dark:text-zinc-300">
      Auto-refresh
      <select
        aria-label="Auto-refresh"
        value={String(value)}
        onChange={(event) => onChange(event.target.value === 'false' ? false : Number(event.target.value))}
        className="rounded-md border border-zinc-300 bg-transparent px-1 py-1 text-xs dark:border-zinc-700"
      >
        {options.map((option) => (
          <option key={option.label} value={String(option.value)}>
            {option.label}
          </option>
        ))}
      </select>
    </label>
  );
}
