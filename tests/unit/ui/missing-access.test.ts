import { describe, expect, it } from 'vitest';
import type { AccessDto } from '@/lib/api/context-dto';
import { missingAccess } from '@/lib/ui/missing-access';

const row = (resource: AccessDto['resource'], access: AccessDto['access']): AccessDto => ({ resource, access, detail: null, checkedAt: 0 });
const names = (rows: AccessDto[]) => rows.map((entry) => `${entry.resource}:${entry.access}`);

describe('the evidence a lease page names as missing', () => {
  it('does not name a refused Event API while the other one is granted: the same Events arrive through it', () => {
    expect(names(missingAccess([row('events_k8s_io', 'denied'), row('events', 'granted'), row('pods', 'granted')]))).toEqual([]);
    expect(names(missingAccess([row('events', 'denied'), row('events_k8s_io', 'granted')]))).toEqual([]);
    expect(names(missingAccess([row('events_k8s_io', 'absent'), row('events', 'granted')]))).toEqual([]);
  });

  it('names both Event APIs when neither is granted, and every other refusal', () => {
    expect(names(missingAccess([row('events_k8s_io', 'denied'), row('events', 'denied'), row('pods', 'denied'), row('leasecandidates', 'absent')]))).toEqual([
      'events_k8s_io:denied',
      'events:denied',
      'pods:denied',
    ]);
    expect(names(missingAccess([row('events_k8s_io', 'denied')]))).toEqual(['events_k8s_io:denied']);
    expect(names(missingAccess([row('leasecandidates', 'denied')]))).toEqual(['leasecandidates:denied']);
  });
});
