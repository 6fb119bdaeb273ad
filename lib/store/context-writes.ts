import type pg from 'pg';
import type { CandidateSnapshot, EventRecord, PodSightingRecord, RestartRecord } from '../kube/context-records';
import type { OpenBand } from '../leases/api-degraded';

export type ContextResourceName = 'pods' | 'events' | 'events_k8s_io' | 'leasecandidates';
export type ContextAccessState = 'granted' | 'denied' | 'absent';

export type ContextBatch = {
  pods: PodSightingRecord[];
  restarts: RestartRecord[];
  events: EventRecord[];
  candidates: CandidateSnapshot[];
  access: Array<{ resource: ContextResourceName; namespace: string; access: ContextAccessState; detail: string | null }>;
  bands: Array<{ type: 'opened' | 'updated'; band: OpenBand } | { type: 'closed'; band: OpenBand; endedAt: number }>;
  // A full list of a resource in a namespace (null: every namespace): what was known before it and is not
  // in it was deleted while the watch could not tell (client-go's Replace). `keys`: uids, or namespace/name of candidates.
  listed: ListedSet[];
};

export type ListedSet = { resource: ContextResourceName; namespace: string | null; keys: string[]; at: number };

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

// One round trip per kind, rows as JSON: the volumes are small (pods and Events of a few namespaces).
export async function writeContextBatch(client: pg.ClientBase, clusterId: number, batch: ContextBatch, at: number): Promise<void> {
  const now = iso(at);
  if (batch.pods.length > 0) {
    await client.query(
      `INSERT INTO "PodSighting" ("clusterId", namespace, pod, uid, "nodeName", "ownerKind", "ownerName", "firstSeenAt", "lastSeenAt", "deletedAt")
       SELECT $1, r.namespace, r.pod, r.uid, r."nodeName", r."ownerKind", r."ownerName", $2, $2, CASE WHEN r."isDeleted" THEN $2::timestamptz END
         FROM json_to_recordset($3::json) AS r(namespace text, pod text, uid text, "nodeName" text, "ownerKind" text, "ownerName" text, "isDeleted" boolean)
       ON CONFLICT ("clusterId", uid) DO UPDATE SET "nodeName" = coalesce(EXCLUDED."nodeName", "PodSighting"."nodeName"), "ownerKind" = EXCLUDED."ownerKind", "ownerName" = EXCLUDED."ownerName",
             "lastSeenAt" = EXCLUDED."lastSeenAt", "deletedAt" = coalesce("PodSighting"."deletedAt", EXCLUDED."deletedAt")`,
      [clusterId, now, JSON.stringify(lastPerKey(batch.pods, (pod) => pod.uid))],
    );
  }
  if (batch.restarts.length > 0) {
    await client.query(
      `INSERT INTO "ContainerRestart" ("clusterId", namespace, pod, "podUid", container, "restartCount", reason, "exitCode", "startedAt", "finishedAt", "observedAt")
       SELECT $1, r.namespace, r.pod, r."podUid", r.container, r."restartCount", r.reason, r."exitCode", r."startedAt", r."finishedAt", $2
         FROM json_to_recordset($3::json) AS r(namespace text, pod text, "podUid" text, container text, "restartCount" int, reason text, "exitCode" int, "startedAt" timestamptz, "finishedAt" timestamptz)
       ON CONFLICT ("clusterId", "podUid", container, "restartCount") DO NOTHING`,
      [clusterId, now, JSON.stringify(batch.restarts.map((restart) => ({ ...restart, startedAt: iso(restart.startedAt), finishedAt: iso(restart.finishedAt) })))],
    );
  }
  if (batch.events.length > 0) {
    await client.query(
      `INSERT INTO "KubeEvent" ("clusterId", api, uid, namespace, name, "involvedKind", "involvedName", reason, message, type, "reportingComponent", "firstAt", "lastAt", count, "observedAt", "deletedAt")
       SELECT $1, r.api::"KubeEventApi", r.uid, r.namespace, r.name, r."involvedKind", r."involvedName", r.reason, r.message, r.type, r."reportingComponent", r."firstAt", r."lastAt", r.count, $2,
              CASE WHEN r."isDeleted" THEN $2::timestamptz END
         FROM json_to_recordset($3::json) AS r(api text, uid text, namespace text, name text, "involvedKind" text, "involvedName" text, reason text, message text, type text, "reportingComponent" text,
                                                "firstAt" timestamptz, "lastAt" timestamptz, count int, "isDeleted" boolean)
       ON CONFLICT ("clusterId", uid) DO UPDATE SET message = CASE WHEN EXCLUDED."deletedAt" IS NULL THEN EXCLUDED.message ELSE "KubeEvent".message END,
             "lastAt" = greatest("KubeEvent"."lastAt", EXCLUDED."lastAt"), count = greatest("KubeEvent".count, EXCLUDED.count),
             "deletedAt" = coalesce("KubeEvent"."deletedAt", EXCLUDED."deletedAt")`,
      [clusterId, now, JSON.stringify(lastPerKey(batch.events, (event) => event.uid).map((event) => ({ ...event, firstAt: iso(event.firstAt), lastAt: iso(event.lastAt) })))],
    );
  }
  if (batch.candidates.length > 0) {
    await client.query(
      `INSERT INTO "LeaseCandidate" ("clusterId", namespace, name, "leaseName", "binaryVersion", "emulationVersion", strategy, "pingTime", "renewTime", "createdAt", "observedAt", "deletedAt")
       SELECT $1, r.namespace, r.name, r."leaseName", r."binaryVersion", r."emulationVersion", r.strategy, r."pingTime", r."renewTime", r."createdAt", $2, CASE WHEN r."isDeleted" THEN $2::timestamptz END
         FROM json_to_recordset($3::json) AS r(namespace text, name text, "leaseName" text, "binaryVersion" text, "emulationVersion" text, strategy text, "pingTime" timestamptz, "renewTime" timestamptz,
                                                "createdAt" timestamptz, "isDeleted" boolean)
       ON CONFLICT ("clusterId", namespace, name) DO UPDATE SET "leaseName" = EXCLUDED."leaseName", "binaryVersion" = EXCLUDED."binaryVersion", "emulationVersion" = EXCLUDED."emulationVersion",
             strategy = EXCLUDED.strategy, "pingTime" = EXCLUDED."pingTime", "renewTime" = EXCLUDED."renewTime", "createdAt" = EXCLUDED."createdAt", "observedAt" = EXCLUDED."observedAt",
             "deletedAt" = EXCLUDED."deletedAt"`,
      [
        clusterId,
        now,
        JSON.stringify(
          lastPerKey(batch.candidates, (candidate) => `${candidate.namespace}/${candidate.name}`).map((candidate) => ({
            ...candidate,
            pingTime: iso(candidate.pingTime),
            renewTime: iso(candidate.renewTime),
            createdAt: iso(candidate.createdAt),
          })),
        ),
      ],
    );
  }
  for (const entry of batch.access) {
    await client.query(
      `INSERT INTO "ContextPermission" ("clusterId", resource, namespace, access, detail, "checkedAt") VALUES ($1, $2::"ContextResource", $3, $4::"ContextAccess", $5, $6)
       ON CONFLICT ("clusterId", resource, namespace) DO UPDATE SET access = EXCLUDED.access, detail = EXCLUDED.detail, "checkedAt" = EXCLUDED."checkedAt"`,
      [clusterId, entry.resource, entry.namespace, entry.access, entry.detail, now],
    );
  }
  for (const listed of batch.listed) await markUnlisted(client, clusterId, listed);
  for (const change of batch.bands) {
    const { band } = change;
    await client.query(
      `INSERT INTO "DegradedBand" ("clusterId", "startedAt", "endedAt", reason, "stalledLeases", "totalLeases") VALUES ($1, $2, $3, $4::"DegradedReason", $5, $6)
       ON CONFLICT ("clusterId", "startedAt") DO UPDATE SET "endedAt" = EXCLUDED."endedAt", "stalledLeases" = EXCLUDED."stalledLeases", "totalLeases" = EXCLUDED."totalLeases"`,
      [clusterId, iso(band.startedAt), change.type === 'closed' ? iso(change.endedAt) : null, band.reason, band.stalledLeases, band.totalLeases],
    );
  }
}

// Only rows first seen before the list can be missing from it; rows the watch added since then are kept.
async function markUnlisted(client: pg.ClientBase, clusterId: number, listed: ListedSet): Promise<void> {
  const values = [clusterId, listed.namespace, listed.keys, iso(listed.at)];
  const inNamespace = `($2::text IS NULL OR namespace = $2::text)`;
  if (listed.resource === 'pods') {
    await client.query(`UPDATE "PodSighting" SET "deletedAt" = $4 WHERE "clusterId" = $1 AND ${inNamespace} AND "deletedAt" IS NULL AND "firstSeenAt" < $4 AND NOT (uid = ANY($3::text[]))`, values);
  } else if (listed.resource === 'leasecandidates') {
    await client.query(`UPDATE "LeaseCandidate" SET "deletedAt" = $4 WHERE "clusterId" = $1 AND ${inNamespace} AND "deletedAt" IS NULL AND "observedAt" < $4 AND NOT (namespace || '/' || name = ANY($3::text[]))`, values);
  } else {
    // One Event store behind both Event APIs: a full list through either holds every Event of the namespace,
    // whichever API delivered a row before (the watcher may have moved from core/v1 to events.k8s.io/v1).
    await client.query(`UPDATE "KubeEvent" SET "deletedAt" = $4 WHERE "clusterId" = $1 AND ${inNamespace} AND "deletedAt" IS NULL AND "observedAt" < $4 AND NOT (uid = ANY($3::text[]))`, values);
  }
}

// A batch may see one object several times; only its latest state is written (ON CONFLICT touches a row once per statement).
function lastPerKey<T>(items: T[], keyOf: (item: T) => string): T[] {
  return [...new Map(items.map((item) => [keyOf(item), item])).values()];
}

// A watcher that starts again (new owner, restart) leaves no band open forever: whatever it left open ends when it starts.
export async function closeOpenBands(client: pg.ClientBase, clusterId: number, at: number): Promise<void> {
  await client.query(`UPDATE "DegradedBand" SET "endedAt" = greatest("startedAt", $2::timestamptz) WHERE "clusterId" = $1 AND "endedAt" IS NULL`, [clusterId, iso(at)]);
}
