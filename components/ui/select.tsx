import type { SelectHTMLAttributes } from 'react';

export const fieldClass = 'rounded-md border border-zinc-300 bg-transparent px-2 py-1 text-sm dark:border-zinc-700';

export function Select({ className = '', ...rest }: SelectHTMLAttributes<HTMLSelectElement>) {
  return <select className={`${fieldClass} ${className}`} {...rest} />;
}
