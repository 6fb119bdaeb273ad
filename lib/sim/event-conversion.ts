import type { KubeObject } from './context-objects';

// kube-apiserver keeps ONE Event store (the core/v1 Event is the stored form) and serves it through two APIs:
// core/v1 and events.k8s.io/v1, a different view of the same objects (same uid, same resourceVersion). The field
// mapping is the one of kubernetes/pkg/apis/events/v1/conversion.go:
//
//   events.k8s.io/v1            core/v1
//   regarding                   involvedObject
//   note                        message
//   reportingController         reportingComponent
//   deprecatedSource            source (component, host)
//   deprecatedFirstTimestamp    firstTimestamp
//   deprecatedLastTimestamp     lastTimestamp
//   deprecatedCount             count
//   eventTime, series, action, reason, type, related, reportingInstance: the same in both.

type Fields = Record<string, unknown>;

// Go's omitempty: empty strings, zero counts, nil times and empty objects are not written.
function compact(object: Fields): Fields {
  const out: Fields = {};
  for (const [key, value] of Object.entries(object)) {
    if (value === undefined || value === null || value === '' || value === 0) continue;
    if (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0) continue;
    out[key] = value;
  }
  return out;
}

const shared = ['eventTime', 'series', 'action', 'reason', 'type', 'related', 'reportingInstance'] as const;

function pick(object: Fields, keys: readonly string[]): Fields {
  return Object.fromEntries(keys.map((key) => [key, object[key]]));
}

/** An Event written through events.k8s.io/v1, as the store keeps it (core/v1). */
export function eventsV1ToCore(event: KubeObject): KubeObject {
  const fields = event as unknown as Fields;
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: event.metadata,
    involvedObject: (fields.regarding as Fields | undefined) ?? {},
    ...compact({ ...pick(fields, shared), message: fields.note, count: fields.deprecatedCount }),
    // No omitempty on these in core/v1: null times, an empty source and empty strings when not set.
    source: (fields.deprecatedSource as Fields | undefined) ?? {},
    firstTimestamp: fields.deprecatedFirstTimestamp ?? null,
    lastTimestamp: fields.deprecatedLastTimestamp ?? null,
    eventTime: fields.eventTime ?? null,
    reportingComponent: (fields.reportingController as string | undefined) ?? '',
    reportingInstance: (fields.reportingInstance as string | undefined) ?? '',
  };
}

/** A stored (core/v1) Event as events.k8s.io/v1 serves it. */
export function coreToEventsV1(event: KubeObject): KubeObject {
  const fields = event as unknown as Fields;
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: event.metadata,
    // eventTime has no omitempty in events.k8s.io/v1: null for an Event recorded through core/v1 without one.
    eventTime: fields.eventTime ?? null,
    ...compact({
      ...pick(fields, shared),
      regarding: fields.involvedObject,
      note: fields.message,
      reportingController: fields.reportingComponent,
      deprecatedSource: fields.source,
      deprecatedFirstTimestamp: fields.firstTimestamp,
      deprecatedLastTimestamp: fields.lastTimestamp,
      deprecatedCount: fields.count,
    }),
  };
}
