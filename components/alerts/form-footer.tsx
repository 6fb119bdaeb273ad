import { buttonClass, primaryButtonClass } from './api';

export function FormFooter({ error, isPending, submitLabel, onCancel }: { error: Error | null; isPending: boolean; submitLabel: string; onCancel: () => void }) {
  return (
    <>
      {error ? (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          {error.message}
        </p>
      ) : null}
      <div className="flex gap-2">
        <button type="submit" className={primaryButtonClass} disabled={isPending}>
          {submitLabel}
        </button>
        <button type="button" className={buttonClass} onClick={onCancel}>
          Cancel
        </button>
      </div>
    </>
  );
}
