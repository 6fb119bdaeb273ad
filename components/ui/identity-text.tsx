'use client';

import { middleTruncate } from '@/lib/ui/format';

// An identity cut in the middle (host and distinguishing suffix stay); the whole of it on hover, for
// screen readers, and in the clipboard when the text is copied.
export function IdentityText({ value, maxChars = 28, className = '' }: { value: string | null; maxChars?: number; className?: string }) {
  if (!value) return <span className={className}>—</span>;
  const shown = middleTruncate(value, maxChars);
  return (
    <span
      title={value}
      aria-label={shown === value ? undefined : value}
      data-identity={value}
      className={`whitespace-nowrap font-mono text-xs ${className}`}
      onCopy={(event) => {
        if (shown === value) return;
        event.preventDefault();
        event.clipboardData.setData('text/plain', value);
      }}
    >
      {shown}
    </span>
  );
}
