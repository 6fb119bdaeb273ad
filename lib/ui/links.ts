export type LeaseRef = { cluster: string; namespace: string; name: string };

export function leaseHref(lease: LeaseRef, search?: Record<string, string>): string {
  const path = `/leases/${encodeURIComponent(lease.cluster)}/${encodeURIComponent(lease.namespace)}/${encodeURIComponent(lease.name)}`;
  const query = search ? new URLSearchParams(search).toString() : '';
  return query ? `${path}?${query}` : path;
}
