import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@/lib/sim/context-objects';
import { coreToEventsV1, eventsV1ToCore } from '@/lib/sim/event-conversion';

const metadata = { name: 'kube-scheduler.1', namespace: 'kube-system', uid: 'u-1', resourceVersion: '42' };

describe('Event conversion between core/v1 and events.k8s.io/v1 (kubernetes/pkg/apis/events/v1/conversion.go)', () => {
  it('maps every field of a legacy core/v1 Event onto events.k8s.io/v1 and back', () => {
    const core: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata,
      involvedObject: { kind: 'Pod', name: 'kube-scheduler-cp-1', namespace: 'kube-system' },
      reason: 'BackOff',
      message: 'Back-off restarting failed container',
      type: 'Warning',
      source: { component: 'kubelet', host: 'cp-1' },
      firstTimestamp: '2026-12-07T10:00:00Z',
      lastTimestamp: '2026-12-07T10:00:05Z',
      count: 3,
      eventTime: null,
      reportingComponent: 'kubelet',
      reportingInstance: 'cp-1',
    };
    const view = coreToEventsV1(core);
    expect(view).toEqual({
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata,
      eventTime: null,
      regarding: core.involvedObject,
      reason: 'BackOff',
      note: 'Back-off restarting failed container',
      type: 'Warning',
      reportingController: 'kubelet',
      reportingInstance: 'cp-1',
      deprecatedSource: { component: 'kubelet', host: 'cp-1' },
      deprecatedFirstTimestamp: '2026-12-07T10:00:00Z',
      deprecatedLastTimestamp: '2026-12-07T10:00:05Z',
      deprecatedCount: 3,
    });
    expect(eventsV1ToCore(view)).toEqual(core);
  });

  it('maps an events.k8s.io/v1 Event with a series onto core/v1 (empty legacy fields as core/v1 writes them) and back', () => {
    const events: KubeObject = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata,
      eventTime: '2026-12-07T10:01:00.123456Z',
      series: { count: 2, lastObservedTime: '2026-12-07T10:02:00.000000Z' },
      regarding: { kind: 'Lease', name: 'kube-scheduler', namespace: 'kube-system' },
      reason: 'LeaderElection',
      action: 'LeaderElection',
      note: 'cp-1_0f3c became leader',
      type: 'Normal',
      reportingController: 'kube-scheduler',
      reportingInstance: 'kube-scheduler-cp-1',
    };
    const core = eventsV1ToCore(events);
    expect(core).toEqual({
      apiVersion: 'v1',
      kind: 'Event',
      metadata,
      involvedObject: events.regarding,
      reason: 'LeaderElection',
      action: 'LeaderElection',
      message: 'cp-1_0f3c became leader',
      type: 'Normal',
      series: events.series,
      source: {},
      firstTimestamp: null,
      lastTimestamp: null,
      eventTime: '2026-12-07T10:01:00.123456Z',
      reportingComponent: 'kube-scheduler',
      reportingInstance: 'kube-scheduler-cp-1',
    });
    expect(coreToEventsV1(core)).toEqual(events);
  });
});
