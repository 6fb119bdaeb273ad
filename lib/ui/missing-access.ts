import type { AccessDto } from '../api/context-dto';

const eventApis: ReadonlySet<AccessDto['resource']> = new Set(['events', 'events_k8s_io']);

// The access rows a lease page names as missing evidence: refused (403) or not served (404; LeaseCandidates not
// served is normal). Both Event APIs serve the same Events and the controller watches one of them, so a refused
// Event API is missing only when the other one is not granted.
export function missingAccess(access: readonly AccessDto[]): AccessDto[] {
  const eventsGranted = access.some((entry) => eventApis.has(entry.resource) && entry.access === 'granted');
  return access.filter((entry) => {
    if (eventApis.has(entry.resource) && eventsGranted) return false;
    return entry.access === 'denied' || (entry.access === 'absent' && entry.resource !== 'leasecandidates');
  });
}
