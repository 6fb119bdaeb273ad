import type { EventDto, FailoverContextDto, HolderPod, LeaseContextDto, RestartDto } from '../api/context-dto';
import { rankCandidates } from '../leases/candidate-ranking';
import { buildFailoverHint, consequenceMs, getSilentSince, type DegradedBandFact } from '../leases/failover-hint';
import { getOwnerWorkload, parseIdentity, resolveHolderPod, type PodRecord } from '../leases/pod-identity';
import type { LeaseKey } from '../leases';
import type { Store } from './client';
import { epochMs } from './epoch-ms';
import { sql } from './sql';
import { getLeaseOrThrow } from './leases';
import type { TimeRange } from './time-range';

type LeaseRef = { leaseId: number; clusterId: number; namespace: string; name: string; leaseDurationSeconds: number | null };

type FailoverRow = { id: string; at: number; observedAt: number; cause: string | null; fromHolder: string | null; toHolder: string | null; leaderlessMs: number | null; overlapMs: number | null };

// Evidence is looked for this far before a failover: a process can hang for a while before it dies.
const evidenceLeadMs = 10 * 60_000;
const maxFailovers = 200;
const maxEvents = 500;
const maxPods = 2_000;
const maxRestartsPerFailover = 50;
const maxBandsPerFailover = 10;
const maxBands = 500;
const maxEventsPerFailover = 20;

async function findLeaseRef(store: Store, key: LeaseKey): Promise<LeaseRef & { strategy: string | null; preferredHolder: string | null; holderIdentity: string | null; renewTime: Date | null }> {
  const { rows } = await store.pool.query<LeaseRef & { strategy: string | null; preferredHolder: string | null; holderIdentity: string | null; renewTime: Date | null }>(
    `SELECT l.id AS "leaseId", l."clusterId", l.namespace, l.name, l."leaseDurationSeconds", l.strategy, l."preferredHolder", l."holderIdentity", l."renewTime"
       FROM "Lease" l JOIN "Cluster" c ON c.id = l."clusterId" WHERE c.name = $1 AND l.namespace = $2 AND l.name = $3`,
    [key.cluster, key.namespace, key.name],
  );
  if (!rows[0]) await getLeaseOrThrow(store, key);
  return rows[0]!;
}

// Only the pods an identity can name: a pod called like its host, or a static pod on the node of that name.
async function listPods(store: Store, clusterId: number, namespace: string, identities: Iterable<string | null>): Promise<PodRecord[]> {
  const hosts = [...new Set([...identities].flatMap((identity) => (identity === null ? [] : [parseIdentity(identity).host])))];
  if (hosts.length === 0) return [];
  const query = sql`
    SELECT namespace, pod, uid, "nodeName", "ownerKind", "ownerName", ${epochMs(sql`"firstSeenAt"`)} AS "firstSeenAt",
           ${epochMs(sql`coalesce("deletedAt", now())`)} AS "lastSeenAt"
      FROM "PodSighting" WHERE "clusterId" = ${clusterId} AND namespace = ${namespace} AND (pod = ANY(${hosts}::text[]) OR "nodeName" = ANY(${hosts}::text[]))
     LIMIT ${maxPods}::int`;
  return (await store.pool.query<PodRecord>(query.text, query.values)).rows;
}

type EvidenceWindow = { id: string; pod: string | null; from: number; to: number };

// Restarts of each failover's previous holder pod inside that failover's own window, newest first and
// bounded per failover: a crash-looping pod elsewhere in time never pushes out a failover's evidence.
async function listRestartsPerFailover(store: Store, clusterId: number, namespace: string, windows: EvidenceWindow[]): Promise<Map<string, RestartDto[]>> {
  const wanted = windows.filter((window) => window.pod !== null);
  const byFailover = new Map<string, RestartDto[]>();
  if (wanted.length === 0) return byFailover;
  const query = sql`
    SELECT w.id AS "failoverId", r.* FROM unnest(${wanted.map((w) => w.id)}::text[], ${wanted.map((w) => w.pod)}::text[], ${wanted.map((w) => new Date(w.from))}::timestamptz[], ${wanted.map((w) => new Date(w.to))}::timestamptz[]) AS w(id, pod, since, until)
     CROSS JOIN LATERAL (
       SELECT c.id::text, c.pod, c.container, c."restartCount", c.reason, c."exitCode", ${epochMs(sql`c."finishedAt"`)} AS "finishedAt", ${epochMs(sql`c."observedAt"`)} AS "observedAt"
         FROM "ContainerRestart" c
        WHERE c."clusterId" = ${clusterId} AND c.namespace = ${namespace} AND c.pod = w.pod AND c."observedAt" >= w.since AND coalesce(c."finishedAt", c."observedAt") <= w.until
        ORDER BY c."observedAt" DESC LIMIT ${maxRestartsPerFailover}::int) r`;
  for (const { failoverId, ...restart } of (await store.pool.query<RestartDto & { failoverId: string }>(query.text, query.values)).rows) byFailover.set(failoverId, [...(byFailover.get(failoverId) ?? []), restart]);
  return byFailover;
}

const eventColumns = sql`e.id::text, e.api::text, e."involvedKind", e."involvedName", e.reason, e.message, e.type, e."reportingComponent", ${epochMs(sql`e."firstAt"`)} AS "firstAt",
           ${epochMs(sql`e."lastAt"`)} AS "lastAt", e.count, ${epochMs(sql`e."deletedAt"`)} AS "deletedAt"`;

// The kept Events of the lease and of each failover's previous and new holder pods, inside that failover's window.
async function listEventsPerFailover(store: Store, lease: LeaseRef, windows: Array<EvidenceWindow & { toPod: string | null }>): Promise<Map<string, EventDto[]>> {
  const byFailover = new Map<string, EventDto[]>();
  if (windows.length === 0) return byFailover;
  const query = sql`
    SELECT w.id AS "failoverId", x.* FROM unnest(${windows.map((w) => w.id)}::text[], ${windows.map((w) => w.pod)}::text[], ${windows.map((w) => w.toPod)}::text[], ${windows.map((w) => new Date(w.from))}::timestamptz[], ${windows.map((w) => new Date(w.to))}::timestamptz[]) AS w(id, "fromPod", "toPod", since, until)
     CROSS JOIN LATERAL (
       SELECT ${eventColumns} FROM "KubeEvent" e
        WHERE e."clusterId" = ${lease.clusterId} AND e.namespace = ${lease.namespace}
          AND ((e."involvedKind" = 'Lease' AND e."involvedName" = ${lease.name}) OR (e."involvedKind" = 'Pod' AND e."involvedName" IN (w."fromPod", w."toPod")))
          AND e."lastAt" >= w.since AND e."firstAt" <= w.until
        ORDER BY e."lastAt" DESC, e.id DESC LIMIT ${maxEventsPerFailover}::int) x`;
  for (const { failoverId, ...event } of (await store.pool.query<EventDto & { failoverId: string }>(query.text, query.values)).rows) byFailover.set(failoverId, [...(byFailover.get(failoverId) ?? []), event]);
  return byFailover;
}

const bandColumns = sql`b.id::text, ${epochMs(sql`b."startedAt"`)} AS "startedAt", ${epochMs(sql`b."endedAt"`)} AS "endedAt", b.reason, b."stalledLeases", b."totalLeases"`;

// The bands that overlap each failover's window (from its previous holder's silence to the takeover).
async function listBandsPerFailover(store: Store, clusterId: number, windows: Array<Omit<EvidenceWindow, 'pod'>>): Promise<Map<string, DegradedBandFact[]>> {
  const byFailover = new Map<string, DegradedBandFact[]>();
  if (windows.length === 0) return byFailover;
  const query = sql`
    SELECT w.id AS "failoverId", x.* FROM unnest(${windows.map((w) => w.id)}::text[], ${windows.map((w) => new Date(w.from))}::timestamptz[], ${windows.map((w) => new Date(w.to))}::timestamptz[]) AS w(id, since, until)
     CROSS JOIN LATERAL (
       SELECT ${bandColumns} FROM "DegradedBand" b
        WHERE b."clusterId" = ${clusterId} AND b."startedAt" <= w.until AND (b."endedAt" IS NULL OR b."endedAt" >= w.since)
        ORDER BY b."startedAt" DESC LIMIT ${maxBandsPerFailover}::int) x`;
  for (const { failoverId, ...band } of (await store.pool.query<DegradedBandFact & { failoverId: string }>(query.text, query.values)).rows) byFailover.set(failoverId, [...(byFailover.get(failoverId) ?? []), band]);
  return byFailover;
}

// The bands shown for the page's range, newest first.
async function listBands(store: Store, clusterId: number, from: number, to: number): Promise<DegradedBandFact[]> {
  const query = sql`
    SELECT ${bandColumns} FROM "DegradedBand" b
     WHERE b."clusterId" = ${clusterId} AND b."startedAt" < ${new Date(to)}::timestamptz AND (b."endedAt" IS NULL OR b."endedAt" >= ${new Date(from)}::timestamptz)
     ORDER BY b."startedAt" DESC LIMIT ${maxBands}::int`;
  return (await store.pool.query<DegradedBandFact>(query.text, query.values)).rows;
}

// For each failover: how many other election leases of the cluster renewed while the previous holder was silent.
async function countOthersRenewed(store: Store, lease: LeaseRef, windows: Array<{ id: string; from: number; to: number }>): Promise<{ others: number; renewed: Map<string, number> }> {
  const { rows: counted } = await store.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Lease" WHERE "clusterId" = $1 AND kind = 'election' AND id <> $2 AND "deletedAt" IS NULL`, [lease.clusterId, lease.leaseId]);
  const others = counted[0]?.n ?? 0;
  if (windows.length === 0 || others === 0) return { others, renewed: new Map(windows.map((window) => [window.id, 0])) };
  const { rows } = await store.pool.query<{ id: string; n: number }>(
    `SELECT w.id, (SELECT count(DISTINCT s."leaseId")::int FROM "RenewSample" s JOIN "Lease" l ON l.id = s."leaseId"
                    WHERE l."clusterId" = $1 AND l.kind = 'election' AND l.id <> $2 AND s."renewTime" > w.since AND s."renewTime" < w.until) AS n
       FROM unnest($3::text[], $4::timestamptz[], $5::timestamptz[]) AS w(id, since, until)`,
    [lease.clusterId, lease.leaseId, windows.map((w) => w.id), windows.map((w) => new Date(w.from)), windows.map((w) => new Date(w.to))],
  );
  return { others, renewed: new Map(rows.map((row) => [row.id, row.n])) };
}

function holderPod(identity: string | null, pods: PodRecord[], lease: LeaseRef, at: number): HolderPod | null {
  if (identity === null) return null;
  const pod = resolveHolderPod(identity, pods, { namespace: lease.namespace, leaseName: lease.name, at });
  return pod ? { identity, namespace: pod.namespace, pod: pod.pod, nodeName: pod.nodeName, workload: getOwnerWorkload(pod.ownerKind, pod.ownerName) } : null;
}

async function buildFailovers(store: Store, lease: LeaseRef, failovers: FailoverRow[], pods: PodRecord[]): Promise<FailoverContextDto[]> {
  const silence = failovers.map((failover) => ({ id: failover.id, from: getSilentSince({ ...failover, leaseDurationSeconds: lease.leaseDurationSeconds }) ?? failover.at, to: failover.at }));
  const fromPods = new Map(failovers.map((failover) => [failover.id, holderPod(failover.fromHolder, pods, lease, failover.at - 1)]));
  const windows = silence.map((window) => ({ id: window.id, pod: fromPods.get(window.id)?.pod ?? null, from: window.from - evidenceLeadMs, to: window.to + consequenceMs }));
  const toPods = new Map(failovers.map((failover) => [failover.id, holderPod(failover.toHolder, pods, lease, failover.at + 1)]));
  const [{ others, renewed }, restartsOf, bandsOf, eventsOf] = await Promise.all([
    countOthersRenewed(store, lease, silence),
    listRestartsPerFailover(store, lease.clusterId, lease.namespace, windows),
    listBandsPerFailover(store, lease.clusterId, silence),
    listEventsPerFailover(store, lease, windows.map((window) => ({ ...window, toPod: toPods.get(window.id)?.pod ?? null }))),
  ]);
  return failovers.map((failover) => {
    const fromPod = fromPods.get(failover.id) ?? null;
    const ownRestarts = restartsOf.get(failover.id) ?? [];
    const bands = bandsOf.get(failover.id) ?? [];
    const hint = buildFailoverHint({
      cause: failover.cause as Parameters<typeof buildFailoverHint>[0]['cause'],
      at: failover.at,
      observedAt: failover.observedAt,
      fromHolder: failover.fromHolder,
      toHolder: failover.toHolder,
      leaderlessMs: failover.leaderlessMs,
      overlapMs: failover.overlapMs,
      leaseDurationSeconds: lease.leaseDurationSeconds,
      restarts: ownRestarts,
      bands,
      otherLeases: others,
      otherLeasesRenewed: renewed.get(failover.id) ?? null,
    });
    const shown = new Set(hint.evidence.map((evidence) => evidence.id));
    return {
      id: failover.id,
      at: failover.at,
      cause: failover.cause,
      fromHolder: failover.fromHolder,
      toHolder: failover.toHolder,
      fromPod,
      toPod: toPods.get(failover.id) ?? null,
      hint,
      restarts: ownRestarts.filter((restart) => shown.has(restart.id)),
      bands: bands.filter((band) => shown.has(band.id)),
      events: eventsOf.get(failover.id) ?? [],
    };
  });
}

const failoverColumns = sql`t.id::text, ${epochMs(sql`t.at`)} AS at, ${epochMs(sql`t."observedAt"`)} AS "observedAt", t.cause::text AS cause, t."fromHolder", t."toHolder", t."leaderlessMs", t."overlapMs"`;

export async function getLeaseContext(store: Store, key: LeaseKey, range: TimeRange, now: number): Promise<LeaseContextDto> {
  const lease = await findLeaseRef(store, key);
  const from = range.from.getTime();
  const to = range.to.getTime();
  const failoverQuery = sql`
    SELECT ${failoverColumns} FROM "Transition" t
     WHERE t."leaseId" = ${lease.leaseId} AND t.kind = 'acquired' AND t.cause <> 'first' AND t.at >= ${range.from}::timestamptz AND t.at < ${range.to}::timestamptz
     ORDER BY t.at DESC, t.id DESC LIMIT ${maxFailovers}::int`;
  const [failoverRows, bands, candidates, access] = await Promise.all([
    store.pool.query<FailoverRow>(failoverQuery.text, failoverQuery.values).then((result) => result.rows),
    listBands(store, lease.clusterId, from, to),
    store.prisma.leaseCandidate.findMany({ where: { clusterId: lease.clusterId, namespace: lease.namespace, leaseName: lease.name, deletedAt: null }, take: 500 }),
    store.prisma.contextPermission.findMany({ where: { clusterId: lease.clusterId, namespace: { in: [lease.namespace, '*'] } }, orderBy: { resource: 'asc' } }),
  ]);
  const pods = await listPods(store, lease.clusterId, lease.namespace, [lease.holderIdentity, ...failoverRows.flatMap((row) => [row.fromHolder, row.toHolder])]);
  const failovers = await buildFailovers(store, lease, failoverRows, pods);
  const holderPods = new Set<string>();
  for (const failover of failovers) for (const pod of [failover.fromPod, failover.toPod]) if (pod) holderPods.add(pod.pod);
  const current = holderPod(lease.holderIdentity, pods, lease, now);
  if (current) holderPods.add(current.pod);
  const eventQuery = sql`
    SELECT id::text, api::text, "involvedKind", "involvedName", reason, message, type, "reportingComponent", ${epochMs(sql`"firstAt"`)} AS "firstAt",
           ${epochMs(sql`"lastAt"`)} AS "lastAt", count, ${epochMs(sql`"deletedAt"`)} AS "deletedAt"
      FROM "KubeEvent"
     WHERE "clusterId" = ${lease.clusterId} AND namespace = ${lease.namespace}
       AND (("involvedKind" = 'Lease' AND "involvedName" = ${lease.name}) OR ("involvedKind" = 'Pod' AND "involvedName" = ANY(${[...holderPods]}::text[])))
       AND "lastAt" >= ${new Date(from - evidenceLeadMs)}::timestamptz AND "firstAt" < ${range.to}::timestamptz
     ORDER BY "lastAt" DESC, id DESC LIMIT ${maxEvents}::int`;
  const events = (await store.pool.query<EventDto>(eventQuery.text, eventQuery.values)).rows;
  const expiresAt = lease.renewTime && lease.leaseDurationSeconds !== null ? lease.renewTime.getTime() + lease.leaseDurationSeconds * 1000 : null;
  return {
    strategy: lease.strategy,
    preferredHolder: lease.preferredHolder,
    holderIdentity: lease.holderIdentity,
    expiresAt,
    holderPod: current,
    failovers,
    events,
    candidates: rankCandidates(
      candidates.map((candidate) => ({
        name: candidate.name,
        leaseName: candidate.leaseName,
        binaryVersion: candidate.binaryVersion,
        emulationVersion: candidate.emulationVersion,
        strategy: candidate.strategy,
        pingTime: candidate.pingTime?.getTime() ?? null,
        renewTime: candidate.renewTime?.getTime() ?? null,
        createdAt: candidate.createdAt.getTime(),
      })),
      now,
    ),
    bands,
    access: access.map((entry) => ({ resource: entry.resource, access: entry.access, detail: entry.detail, checkedAt: entry.checkedAt.getTime() })),
  };
}

// The audit's rows: hints for failovers picked by id, across leases and clusters.
export async function getFailoverHints(store: Store, ids: bigint[]): Promise<FailoverContextDto[]> {
  if (ids.length === 0) return [];
  const query = sql`
    SELECT ${failoverColumns}, t."leaseId", l."clusterId", l.namespace, l.name, l."leaseDurationSeconds"
      FROM "Transition" t JOIN "Lease" l ON l.id = t."leaseId"
     WHERE t.id = ANY(${ids.map(String)}::bigint[]) AND t.kind = 'acquired'`;
  const rows = (await store.pool.query<FailoverRow & LeaseRef>(query.text, query.values)).rows;
  const byLease = new Map<number, Array<FailoverRow & LeaseRef>>();
  for (const row of rows) byLease.set(row.leaseId, [...(byLease.get(row.leaseId) ?? []), row]);
  const results: FailoverContextDto[] = [];
  for (const group of byLease.values()) {
    const lease = group[0]!;
    const pods = await listPods(store, lease.clusterId, lease.namespace, group.flatMap((row) => [row.fromHolder, row.toHolder]));
    results.push(...(await buildFailovers(store, lease, group, pods)));
  }
  return results;
}
