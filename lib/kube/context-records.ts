import { z } from 'zod';

// What the context watchers keep of pods, Events and LeaseCandidates; times in epoch ms.
export type PodSightingRecord = { namespace: string; pod: string; uid: string; nodeName: string | null; ownerKind: string | null; ownerName: string | null; isDeleted: boolean };

export type RestartRecord = { namespace: string; pod: string; podUid: string; container: string; restartCount: number; reason: string | null; exitCode: number | null; startedAt: number | null; finishedAt: number | null };

export type EventRecord = {
  api: 'core' | 'events_k8s_io';
  uid: string;
  namespace: string;
  name: string;
  involvedKind: string;
  involvedName: string;
  reason: string;
  message: string;
  type: string | null;
  reportingComponent: string | null;
  firstAt: number;
  lastAt: number;
  count: number;
  isDeleted: boolean;
};

export type CandidateSnapshot = {
  namespace: string;
  name: string;
  leaseName: string;
  binaryVersion: string;
  emulationVersion: string | null;
  strategy: string | null;
  pingTime: number | null;
  renewTime: number | null;
  createdAt: number;
  isDeleted: boolean;
};

const time = z
  .string()
  .nullish()
  .transform((text) => {
    if (!text) return null;
    const ms = Date.parse(text);
    return Number.isNaN(ms) ? null : ms;
  });

const metadata = z.object({ name: z.string().min(1), namespace: z.string().min(1), uid: z.string().min(1), creationTimestamp: time.optional() });

const podSchema = z.object({
  metadata: metadata.extend({ ownerReferences: z.array(z.object({ kind: z.string(), name: z.string(), controller: z.boolean().nullish() })).nullish() }),
  spec: z.object({ nodeName: z.string().nullish() }).nullish(),
  status: z
    .object({
      containerStatuses: z
        .array(
          z.object({
            name: z.string(),
            restartCount: z.number().int().min(0),
            lastState: z.object({ terminated: z.object({ reason: z.string().nullish(), exitCode: z.number().int().nullish(), startedAt: time.optional(), finishedAt: time.optional() }).nullish() }).nullish(),
          }),
        )
        .nullish(),
    })
    .nullish(),
});

const involved = z.object({ kind: z.string().nullish(), name: z.string().nullish() });

const coreEventSchema = z.object({
  metadata,
  involvedObject: involved,
  reason: z.string().nullish(),
  message: z.string().nullish(),
  type: z.string().nullish(),
  source: z.object({ component: z.string().nullish() }).nullish(),
  reportingComponent: z.string().nullish(),
  firstTimestamp: time.optional(),
  lastTimestamp: time.optional(),
  eventTime: time.optional(),
  count: z.number().int().nullish(),
});

const newEventSchema = z.object({
  metadata,
  regarding: involved.nullish(),
  reason: z.string().nullish(),
  note: z.string().nullish(),
  type: z.string().nullish(),
  reportingController: z.string().nullish(),
  eventTime: time.optional(),
  series: z.object({ count: z.number().int(), lastObservedTime: time.optional() }).nullish(),
  deprecatedFirstTimestamp: time.optional(),
  deprecatedLastTimestamp: time.optional(),
  deprecatedCount: z.number().int().nullish(),
});

const candidateSchema = z.object({
  metadata,
  spec: z.object({
    leaseName: z.string().min(1),
    binaryVersion: z.string().nullish(),
    emulationVersion: z.string().nullish(),
    strategy: z.string().nullish(),
    // v1alpha1 offered a list; the first entry is the one it prefers.
    preferredStrategies: z.array(z.string()).nullish(),
    pingTime: time.optional(),
    renewTime: time.optional(),
  }),
});

export function parsePod(object: unknown, isDeleted: boolean): { pod: PodSightingRecord; restarts: RestartRecord[] } | null {
  const parsed = podSchema.safeParse(object);
  if (!parsed.success) return null;
  const { metadata: meta, spec, status } = parsed.data;
  const owner = meta.ownerReferences?.find((reference) => reference.controller) ?? meta.ownerReferences?.[0];
  const pod: PodSightingRecord = { namespace: meta.namespace, pod: meta.name, uid: meta.uid, nodeName: spec?.nodeName ?? null, ownerKind: owner?.kind ?? null, ownerName: owner?.name ?? null, isDeleted };
  const restarts = (status?.containerStatuses ?? []).flatMap((container): RestartRecord[] => {
    const terminated = container.lastState?.terminated;
    if (container.restartCount === 0 || !terminated) return [];
    return [
      {
        namespace: meta.namespace,
        pod: meta.name,
        podUid: meta.uid,
        container: container.name,
        restartCount: container.restartCount,
        reason: terminated.reason ?? null,
        exitCode: terminated.exitCode ?? null,
        startedAt: terminated.startedAt ?? null,
        finishedAt: terminated.finishedAt ?? null,
      },
    ];
  });
  return { pod, restarts };
}

export function parseEvent(object: unknown, api: EventRecord['api'], isDeleted: boolean, observedAt: number): EventRecord | null {
  if (api === 'core') {
    const parsed = coreEventSchema.safeParse(object);
    if (!parsed.success || !parsed.data.involvedObject.kind || !parsed.data.involvedObject.name) return null;
    const event = parsed.data;
    const lastAt = event.lastTimestamp ?? event.eventTime ?? event.firstTimestamp ?? observedAt;
    return {
      api,
      uid: event.metadata.uid,
      namespace: event.metadata.namespace,
      name: event.metadata.name,
      involvedKind: event.involvedObject.kind!,
      involvedName: event.involvedObject.name!,
      reason: event.reason ?? '',
      message: event.message ?? '',
      type: event.type ?? null,
      reportingComponent: event.reportingComponent || event.source?.component || null,
      firstAt: event.firstTimestamp ?? event.eventTime ?? lastAt,
      lastAt,
      count: event.count ?? 1,
      isDeleted,
    };
  }
  const parsed = newEventSchema.safeParse(object);
  if (!parsed.success || !parsed.data.regarding?.kind || !parsed.data.regarding.name) return null;
  const event = parsed.data;
  const firstAt = event.eventTime ?? event.deprecatedFirstTimestamp ?? observedAt;
  return {
    api,
    uid: event.metadata.uid,
    namespace: event.metadata.namespace,
    name: event.metadata.name,
    involvedKind: event.regarding!.kind!,
    involvedName: event.regarding!.name!,
    reason: event.reason ?? '',
    message: event.note ?? '',
    type: event.type ?? null,
    reportingComponent: event.reportingController ?? null,
    firstAt,
    lastAt: event.series?.lastObservedTime ?? event.deprecatedLastTimestamp ?? firstAt,
    count: event.series?.count ?? event.deprecatedCount ?? 1,
    isDeleted,
  };
}

export function parseCandidate(object: unknown, isDeleted: boolean, observedAt: number): CandidateSnapshot | null {
  const parsed = candidateSchema.safeParse(object);
  if (!parsed.success) return null;
  const { metadata: meta, spec } = parsed.data;
  return {
    namespace: meta.namespace,
    name: meta.name,
    leaseName: spec.leaseName,
    binaryVersion: spec.binaryVersion ?? '',
    emulationVersion: spec.emulationVersion ?? null,
    strategy: spec.strategy ?? spec.preferredStrategies?.[0] ?? null,
    pingTime: spec.pingTime ?? null,
    renewTime: spec.renewTime ?? null,
    createdAt: meta.creationTimestamp ?? observedAt,
    isDeleted,
  };
}
