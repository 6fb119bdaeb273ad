'use client';

import { useSyncExternalStore } from 'react';

export type ThemeChoice = 'system' | 'light' | 'dark';

const storageKey = 'leasetrail-theme';
const listeners = new Set<() => void>();

// Runs in <head> before the first paint, so a dark page never flashes white.
export const themeScript = `(function(){try{var c=localStorage.getItem('${storageKey}');var d=c==='dark'||(c!=='light'&&matchMedia('(prefers-color-scheme: dark)').matches);document.documentElement.classList.toggle('dark',d);document.documentElement.style.colorScheme=d?'dark':'light'}catch(e){}})()`;

function readChoice(): ThemeChoice {
  const stored = localStorage.getItem(storageKey);
  return stored === 'light' || stored === 'dark' ? stored : 'system';
}

function apply(choice: ThemeChoice): void {
  const isDark = choice === 'dark' || (choice === 'system' && matchMedia('(prefers-color-scheme: dark)').matches);
  document.documentElement.classList.toggle('dark', isDark);
  document.documentElement.style.colorScheme = isDark ? 'dark' : 'light';
}

function subscribe(onChange: () => void): () => void {
  listeners.add(onChange);
  const media = matchMedia('(prefers-color-scheme: dark)');
  const onSystemChange = () => {
    apply(readChoice());
    onChange();
  };
  media.addEventListener('change', onSystemChange);
  return () => {
    listeners.delete(onChange);
    media.removeEventListener('change', onSystemChange);
  };
}

const next: Record<ThemeChoice, ThemeChoice> = { system: 'light', light: 'dark', dark: 'system' };
const labels: Record<ThemeChoice, string> = { system: 'Theme: system', light: 'Theme: light', dark: 'Theme: dark' };
const icons: Record<ThemeChoice, string> = { system: '◐', light: '☀', dark: '☾' };

// Follows the system preference until a person picks light or dark; the choice stays in this browser.
export function ThemeToggle() {
  const choice = useSyncExternalStore(subscribe, readChoice, () => 'system' as const);
  return (
    <button
      type="button"
      aria-label={`${labels[choice]} (switch to ${next[choice]})`}
      title={labels[choice]}
      onClick={() => {
        const chosen = next[choice];
        if (chosen === 'system') localStorage.removeItem(storageKey);
        else localStorage.setItem(storageKey, chosen);
        apply(chosen);
        for (const listener of listeners) listener();
      }}
      className="rounded-md border border-zinc-300 px-2 py-0.5 text-sm dark:border-zinc-700"
    >
      <span aria-hidden="true">{icons[choice]}</span>
    </button>
  );
}
