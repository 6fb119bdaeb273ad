'use client';

import { useState } from 'react';
import { useViewer } from './viewer-context';

export function ViewerMenu() {
  const viewer = useViewer();
  const [error, setError] = useState<string | null>(null);
  const signOut = async () => {
    const response = await fetch('/api/auth/logout', { method: 'POST' });
    const body = (await response.json().catch(() => ({}))) as { redirectTo?: string; error?: string };
    if (!response.ok) return setError(body.error ?? `sign-out failed with ${response.status}`);
    window.location.assign(body.redirectTo ?? '/');
  };
  return (
    <span className="flex items-center gap-2 text-xs text-zinc-600 dark:text-zinc-400" aria-label="Signed in as">
      <span>
        {viewer.name} · {viewer.role}
      </span>
      {viewer.canSignOut ? (
        <button type="button" onClick={() => void signOut()} className="rounded border border-zinc-300 px-2 py-0.5 hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800">
          Sign out
        </button>
      ) : null}
      {error ? <span role="alert">{error}</span> : null}
    </span>
  );
}
