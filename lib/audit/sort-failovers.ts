export const failoverSortKeys = ['time', 'cluster', 'lease', 'cause', 'leaderless'] as const;

export type FailoverSortKey = (typeof failoverSortKeys)[number];

type Sortable = { id: string; at: string; cluster: string; namespace: string; name: string; cause: string; leaderlessMs: number | null };

function sortValue(failover: Sortable, key: FailoverSortKey): string | number {
  switch (key) {
    case 'time':
      return failover.at;
    case 'cluster':
      return failover.cluster;
    case 'lease':
      return `${failover.namespace}/${failover.name}`;
    case 'cause':
      return failover.cause;
    case 'leaderless':
      return failover.leaderlessMs ?? -1;
  }
}

// Ties fall back to time, so equal clusters or causes still read in the order things happened.
export function sortFailovers<T extends Sortable>(failovers: readonly T[], key: FailoverSortKey, dir: 'asc' | 'desc'): T[] {
  const direction = dir === 'asc' ? 1 : -1;
  return [...failovers].sort((a, b) => {
    const left = sortValue(a, key);
    const right = sortValue(b, key);
    return (left < right ? -1 : left > right ? 1 : 0) * direction || a.at.localeCompare(b.at) || a.id.localeCompare(b.id);
  });
}
