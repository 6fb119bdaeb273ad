-- Renew samples and their per-minute rollups become range-partitioned tables (Prisma cannot express
-- partitioning, so this migration is hand-written; lib/store/partitions.ts declares the same layout
-- and keeps it up: partitions created ahead, whole partitions dropped by retention).
--
-- RenewSample: one partition per UTC day of "renewTime", named RenewSample_dYYYYMMDD. "observedAt" is
-- gone: for a watched renewal it is "renewTime" + "lagMs" (lib/store/renew-sample-sql.ts derives it),
-- and a listed one (lag unknown) was observed at a relist, which the lease row and the gaps record.
-- RenewRollup: one partition per UTC month of "bucket" (RenewRollup_mYYYYMM); "worstObservedAt" goes
-- for the same reason. Each has a DEFAULT partition so an insert never fails for want of a partition:
-- the maintenance job moves its rows into a partition created for them, and deletes the ones older
-- than retention, so it only ever holds stragglers (see README, Retention).

ALTER TABLE "RenewSample" RENAME TO "RenewSample_unpartitioned";
ALTER TABLE "RenewSample_unpartitioned" RENAME CONSTRAINT "RenewSample_pkey" TO "RenewSample_unpartitioned_pkey";
ALTER INDEX "RenewSample_renewTime_idx" RENAME TO "RenewSample_unpartitioned_renewTime_idx";

CREATE TABLE "RenewSample" (
    "leaseId" INTEGER NOT NULL,
    "renewTime" TIMESTAMPTZ(6) NOT NULL,
    "intervalMs" INTEGER,
    "lagMs" INTEGER,

    CONSTRAINT "RenewSample_pkey" PRIMARY KEY ("leaseId","renewTime")
) PARTITION BY RANGE ("renewTime");

CREATE INDEX "RenewSample_renewTime_idx" ON "RenewSample" USING BRIN ("renewTime");

CREATE TABLE "RenewSample_default" PARTITION OF "RenewSample" DEFAULT;

ALTER TABLE "RenewRollup" RENAME TO "RenewRollup_unpartitioned";
ALTER TABLE "RenewRollup_unpartitioned" RENAME CONSTRAINT "RenewRollup_pkey" TO "RenewRollup_unpartitioned_pkey";
ALTER TABLE "RenewRollup_unpartitioned" DROP CONSTRAINT "RenewRollup_leaseId_fkey";

CREATE TABLE "RenewRollup" (
    "bucket" TIMESTAMPTZ(6) NOT NULL,
    "worstRenewTime" TIMESTAMPTZ(6) NOT NULL,
    "leaseId" INTEGER NOT NULL,
    "sampleCount" INTEGER NOT NULL,
    "intervalMaxMs" INTEGER,
    "lagMaxMs" INTEGER,
    "worstLagMs" INTEGER,
    "intervalHist" INTEGER[],
    "lagHist" INTEGER[],

    CONSTRAINT "RenewRollup_pkey" PRIMARY KEY ("leaseId","bucket")
) PARTITION BY RANGE ("bucket");

ALTER TABLE "RenewRollup" ADD CONSTRAINT "RenewRollup_leaseId_fkey" FOREIGN KEY ("leaseId") REFERENCES "Lease"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "RenewRollup_default" PARTITION OF "RenewRollup" DEFAULT;

-- Partitions for the data already stored (at most 400 days back: anything older lands in DEFAULT,
-- where retention deletes it) and for the days and months ahead.
DO $$
DECLARE
  today date := (now() AT TIME ZONE 'UTC')::date;
  first_day date;
  first_month date;
  day date;
BEGIN
  -- greatest() skips NULLs: an empty table must not get 400 days of partitions.
  SELECT (min("renewTime") AT TIME ZONE 'UTC')::date INTO first_day FROM "RenewSample_unpartitioned";
  first_day := least(greatest(coalesce(first_day, today), today - 400), today);
  FOR day IN SELECT d::date FROM generate_series(first_day, today + 7, interval '1 day') AS d LOOP
    EXECUTE format('CREATE TABLE %I PARTITION OF "RenewSample" FOR VALUES FROM (%L) TO (%L)',
                   'RenewSample_d' || to_char(day, 'YYYYMMDD'), day::timestamp AT TIME ZONE 'UTC', (day + 1)::timestamp AT TIME ZONE 'UTC');
  END LOOP;
  SELECT date_trunc('month', min(bucket) AT TIME ZONE 'UTC')::date INTO first_month FROM "RenewRollup_unpartitioned";
  first_month := least(greatest(coalesce(first_month, today), date_trunc('month', today - 800)::date), date_trunc('month', today)::date);
  FOR day IN SELECT d::date FROM generate_series(first_month, date_trunc('month', today)::date + interval '2 months', interval '1 month') AS d LOOP
    EXECUTE format('CREATE TABLE %I PARTITION OF "RenewRollup" FOR VALUES FROM (%L) TO (%L)',
                   'RenewRollup_m' || to_char(day, 'YYYYMM'), day::timestamp AT TIME ZONE 'UTC', (day + interval '1 month')::timestamp AT TIME ZONE 'UTC');
  END LOOP;
END
$$;

-- The stored rows move over, in the order they were written (time order), so each day's heap stays in time order.
INSERT INTO "RenewSample" ("leaseId", "renewTime", "intervalMs", "lagMs")
SELECT "leaseId", "renewTime", "intervalMs", "lagMs" FROM "RenewSample_unpartitioned";
DROP TABLE "RenewSample_unpartitioned";

INSERT INTO "RenewRollup" (bucket, "worstRenewTime", "leaseId", "sampleCount", "intervalMaxMs", "lagMaxMs", "worstLagMs", "intervalHist", "lagHist")
SELECT bucket, "worstRenewTime", "leaseId", "sampleCount", "intervalMaxMs", "lagMaxMs", "worstLagMs", "intervalHist", "lagHist" FROM "RenewRollup_unpartitioned";
DROP TABLE "RenewRollup_unpartitioned";

-- Late samples. The rollup job re-aggregates the last minutes on every run (ROLLUP_RESTATE_MS); a
-- sample stored later than that would stay out of the rollups. This row trigger queues the minute of
-- every sample stored more than five minutes after its renewTime, and the rollup job re-aggregates
-- the queued (lease, minute) pairs. The WHEN clause is evaluated per row without calling the
-- function, and an AFTER row trigger keeps COPY's multi-row inserts (a transition-table trigger on a
-- partitioned table would not).
CREATE TABLE "RenewRollupPending" (
    "leaseId" INTEGER NOT NULL,
    "bucket" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "RenewRollupPending_pkey" PRIMARY KEY ("leaseId","bucket")
);

CREATE FUNCTION "leasetrail_queue_late_renew_sample"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "RenewRollupPending" ("leaseId", bucket) VALUES (NEW."leaseId", date_trunc('minute', NEW."renewTime", 'UTC')) ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;

CREATE TRIGGER "RenewSample_queue_late" AFTER INSERT ON "RenewSample"
  FOR EACH ROW WHEN (NEW."renewTime" < now() - interval '5 minutes')
  EXECUTE FUNCTION "leasetrail_queue_late_renew_sample"();

-- How far retention has dropped each table: reads before "droppedBefore" know the raw rows are gone.
CREATE TABLE "RetentionHorizon" (
    "table" TEXT NOT NULL,
    "droppedBefore" TIMESTAMPTZ(6) NOT NULL,
    "updatedAt" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "RetentionHorizon_pkey" PRIMARY KEY ("table")
);
