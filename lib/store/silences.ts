import { silenceStateOf, type MatcherSilence, type SilenceMatchers, type SilenceState } from '../alerts/silences';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import type { Db } from './alert-facts';
import type { Store } from './client';
import type { Silence } from './generated/prisma/client';
import { queryRows } from './pg-store';
import { sql } from './sql';

export type SilenceRecord = MatcherSilence & { state: SilenceState; createdAt: number; expiredBy: string | null };

export type SilenceWrite = { matchers: SilenceMatchers; startsAt: Date; endsAt: Date; comment: string; createdBy: string; now: Date };

const toMatcherSilence = (row: Silence): MatcherSilence => ({
  id: row.id,
  matchers: { cluster: row.clusterPattern, namespace: row.namespacePattern, lease: row.leasePattern, rule: row.rulePattern },
  startsAt: row.startsAt.getTime(),
  endsAt: row.endsAt.getTime(),
  expiredAt: row.expiredAt?.getTime() ?? null,
  comment: row.comment,
  createdBy: row.createdBy,
});

const toRecord = (row: Silence, now: number): SilenceRecord => {
  const silence = toMatcherSilence(row);
  return { ...silence, state: silenceStateOf(silence, now), createdAt: row.createdAt.getTime(), expiredBy: row.expiredBy };
};

export async function createSilence(store: Store, input: SilenceWrite): Promise<SilenceRecord> {
  if (input.endsAt.getTime() <= input.now.getTime()) {
    throw new ValidationError(`invalid endsAt: must be in the future (now is ${input.now.toISOString()})`, [{ path: 'endsAt', message: 'must be in the future' }]);
  }
  if (input.endsAt.getTime() <= input.startsAt.getTime()) {
    throw new ValidationError('invalid endsAt: must be after startsAt', [{ path: 'endsAt', message: 'must be after startsAt' }]);
  }
  const row = await store.prisma.silence.create({
    data: {
      clusterPattern: input.matchers.cluster,
      namespacePattern: input.matchers.namespace,
      leasePattern: input.matchers.lease,
      rulePattern: input.matchers.rule,
      startsAt: input.startsAt,
      endsAt: input.endsAt,
      comment: input.comment,
      createdBy: input.createdBy,
      createdAt: input.now,
    },
  });
  return toRecord(row, input.now.getTime());
}

export type SilenceFilter = { state: SilenceState | 'all'; limit: number; now: Date };

export async function listSilences(store: Store, filter: SilenceFilter): Promise<{ silences: SilenceRecord[]; hasMore: boolean }> {
  const now = filter.now;
  const unexpired = { OR: [{ expiredAt: null }, { expiredAt: { gt: now } }] };
  const where =
    filter.state === 'active'
      ? { startsAt: { lte: now }, endsAt: { gt: now }, ...unexpired }
      : filter.state === 'pending'
        ? { startsAt: { gt: now }, endsAt: { gt: now }, ...unexpired }
        : filter.state === 'expired'
          ? { OR: [{ endsAt: { lte: now } }, { expiredAt: { lte: now } }] }
          : {};
  const rows = await store.prisma.silence.findMany({ where, orderBy: [{ endsAt: 'desc' }, { id: 'desc' }], take: filter.limit + 1 });
  return { silences: rows.slice(0, filter.limit).map((row) => toRecord(row, now.getTime())), hasMore: rows.length > filter.limit };
}

// One conditional update: of two people expiring the same silence at once, one wins and the other
// gets 409 — the record never names the wrong person or the later time.
export async function expireSilence(store: Store, input: { id: number; by: string; now: Date }): Promise<SilenceRecord> {
  const { count } = await store.prisma.silence.updateMany({
    where: { id: input.id, expiredAt: null, endsAt: { gt: input.now } },
    data: { expiredAt: input.now, expiredBy: input.by },
  });
  const row = await store.prisma.silence.findUnique({ where: { id: input.id } });
  if (!row) throw new NotFoundError(`silence ${input.id} not found`);
  if (count === 0) throw new ConflictError(`silence ${input.id} has already expired`);
  return toRecord(row, input.now.getTime());
}

// What the engine needs: silences running now or starting later (their start is a moment to look again).
export async function loadMatcherSilences(db: Db, now: Date): Promise<MatcherSilence[]> {
  const rows = await queryRows<Silence>(db, sql`SELECT * FROM "Silence" WHERE "endsAt" > ${now}::timestamptz AND ("expiredAt" IS NULL OR "expiredAt" > ${now}::timestamptz) ORDER BY id`);
  return rows.map(toMatcherSilence);
}
