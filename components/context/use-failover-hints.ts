'use client';

import { useQuery } from '@tanstack/react-query';
import type { FailoverContextDto } from '@/lib/api/context-dto';
import { fetchJson } from '@/lib/ui/fetch-json';

const maxIdsPerRequest = 200;

// Hints for the failovers on screen (acquisitions only; missed rows have no previous holder to judge).
export function useFailoverHints(ids: string[]): Map<string, FailoverContextDto> {
  const sortedIds = [...new Set(ids)].sort();
  const query = useQuery({
    queryKey: ['failover', 'hints', sortedIds.join(',')],
    enabled: sortedIds.length > 0,
    queryFn: async () => {
      const chunks: string[][] = [];
      for (let i = 0; i < sortedIds.length; i += maxIdsPerRequest) chunks.push(sortedIds.slice(i, i + maxIdsPerRequest));
      const answers = await Promise.all(chunks.map((chunk) => fetchJson<{ hints: FailoverContextDto[] }>(`/api/failover-hints?ids=${chunk.join(',')}`)));
      return new Map(answers.flatMap((answer) => answer.hints).map((hint) => [hint.id, hint]));
    },
  });
  return query.data ?? new Map();
}
