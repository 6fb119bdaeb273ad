'use client';

import { useQuery } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useDeferredValue, useEffect, useId, useRef, useState } from 'react';
import { IdentityText } from '@/components/ui/identity-text';
import type { LeasesResponse } from '@/lib/api/dto';
import { fetchJson } from '@/lib/ui/fetch-json';
import { leaseHref } from '@/lib/ui/links';

const isTyping = (target: EventTarget | null) =>
  target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));

// Search the fleet from any page: every word matches a lease's name, namespace, holder or cluster.
// `/` focuses it, ↑/↓ pick a result, Enter opens it, Esc closes the list.
export function FleetSearch() {
  const router = useRouter();
  const inputRef = useRef<HTMLInputElement>(null);
  const listId = useId();
  const [text, setText] = useState('');
  const [isOpen, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const query = useDeferredValue(text.trim());
  const results = useQuery({
    queryKey: ['search', query],
    queryFn: () => fetchJson<LeasesResponse>(`/api/leases?${new URLSearchParams({ text: query, limit: '12', kind: 'all' })}`),
    enabled: query.length > 0,
    staleTime: 10_000,
  });
  const leases = query ? (results.data?.leases ?? []) : [];

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== '/' || event.metaKey || event.ctrlKey || event.altKey || isTyping(event.target)) return;
      event.preventDefault();
      inputRef.current?.focus();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);

  const open = (index: number) => {
    const lease = leases[index];
    if (!lease) return;
    setOpen(false);
    setText('');
    router.push(leaseHref(lease));
  };

  return (
    <div className="relative w-full sm:w-64" role="search">
      <input
        ref={inputRef}
        type="search"
        role="combobox"
        aria-label="Search the fleet"
        aria-expanded={isOpen && leases.length > 0}
        aria-controls={listId}
        aria-activedescendant={isOpen && leases[active] ? `${listId}-${active}` : undefined}
        aria-autocomplete="list"
        placeholder="Search leases, holders, clusters ( / )"
        value={text}
        onChange={(event) => {
          setText(event.target.value);
          setOpen(true);
          setActive(0);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onKeyDown={(event) => {
          if (event.key === 'ArrowDown') setActive((index) => Math.min(leases.length - 1, index + 1));
          else if (event.key === 'ArrowUp') setActive((index) => Math.max(0, index - 1));
          else if (event.key === 'Enter') open(active);
          else if (event.key === 'Escape') setOpen(false);
          else return;
          event.preventDefault();
        }}
        className="w-full rounded-md border border-zinc-300 bg-transparent px-2 py-1 text-sm dark:border-zinc-700"
      />
      {isOpen && query ? (
        <ul id={listId} role="listbox" aria-label="Leases found" className="absolute right-0 z-20 mt-1 max-h-80 w-full min-w-72 overflow-y-auto rounded-md border border-zinc-200 bg-white text-sm shadow-lg dark:border-zinc-700 dark:bg-zinc-900">
          {leases.map((lease, index) => (
            <li
              key={`${lease.cluster}/${lease.namespace}/${lease.name}`}
              id={`${listId}-${index}`}
              role="option"
              aria-selected={index === active}
              onMouseDown={(event) => {
                event.preventDefault();
                open(index);
              }}
              className={`cursor-pointer px-2 py-1 ${index === active ? 'bg-zinc-100 dark:bg-zinc-800' : ''}`}
            >
              <div className="truncate">
                <span className="text-zinc-600 dark:text-zinc-400">{lease.cluster}</span> {lease.namespace}/{lease.name}
              </div>
              <IdentityText value={lease.holderIdentity} maxChars={36} className="text-zinc-600 dark:text-zinc-400" />
            </li>
          ))}
          {results.isSuccess && leases.length === 0 ? <li className="px-2 py-1 text-zinc-600 dark:text-zinc-400">No lease matches “{query}”.</li> : null}
          {results.isError ? <li className="px-2 py-1 text-red-700">Search failed: {results.error.message}</li> : null}
        </ul>
      ) : null}
    </div>
  );
}
