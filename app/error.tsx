'use client';

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div role="alert" className="space-y-3 rounded-lg border border-red-200 bg-red-50 p-6 dark:border-red-900 dark:bg-red-950/40">
      <h1 className="text-lg font-semibold text-red-800 dark:text-red-300">This page could not be loaded</h1>
      <p className="text-sm text-red-800 dark:text-red-300">
        {error.digest ? `The server failed (reference ${error.digest}); its log has the details.` : error.message} If PostgreSQL is down, /api/health says so.
      </p>
      <button type="button" onClick={reset} className="rounded-md border border-red-300 px-3 py-1 text-sm hover:bg-red-100 dark:border-red-800 dark:hover:bg-red-900">
        Try again
      </button>
    </div>
  );
}
