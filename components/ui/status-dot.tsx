const tones = {
  good: 'bg-emerald-500',
  warn: 'bg-amber-500',
  bad: 'bg-red-500',
  idle: 'bg-zinc-400',
} as const;

export type StatusTone = keyof typeof tones;

export function StatusDot({ tone, label }: { tone: StatusTone; label: string }) {
  return <span role="img" aria-label={label} title={label} className={`inline-block h-2.5 w-2.5 shrink-0 rounded-full ${tones[tone]}`} />;
}
