-- RenewRollup was never filled: rebuild it as the rollup job (lib/store/rollups.ts) writes it, widest
-- columns first so no row carries alignment padding, without the unused BRIN index.
DROP TABLE "RenewRollup";

-- CreateTable
CREATE TABLE "RenewRollup" (
    "bucket" TIMESTAMPTZ(6) NOT NULL,
    "worstRenewTime" TIMESTAMPTZ(6) NOT NULL,
    "worstObservedAt" TIMESTAMPTZ(6) NOT NULL,
    "leaseId" INTEGER NOT NULL,
    "sampleCount" INTEGER NOT NULL,
    "intervalMaxMs" INTEGER,
    "lagMaxMs" INTEGER,
    "worstLagMs" INTEGER,
    "intervalHist" INTEGER[],
    "lagHist" INTEGER[],

    CONSTRAINT "RenewRollup_pkey" PRIMARY KEY ("leaseId","bucket")
);

-- CreateTable
CREATE TABLE "TimelineRollup" (
    "bucket" TIMESTAMPTZ(6) NOT NULL,
    "leaseId" INTEGER NOT NULL,
    "ledMs" INTEGER NOT NULL,
    "leaderlessMs" INTEGER NOT NULL,
    "unknownMs" INTEGER NOT NULL,
    "longestLeaderlessMs" INTEGER NOT NULL,
    "leadingLeaderlessMs" INTEGER NOT NULL,
    "trailingLeaderlessMs" INTEGER NOT NULL,
    "failovers" INTEGER NOT NULL,
    "earlyTakeovers" INTEGER NOT NULL,
    "missedCount" INTEGER NOT NULL,

    CONSTRAINT "TimelineRollup_pkey" PRIMARY KEY ("leaseId","bucket")
);

-- CreateTable
CREATE TABLE "RollupProgress" (
    "job" TEXT NOT NULL,
    "rolledUntil" TIMESTAMPTZ(6) NOT NULL,
    "transitionId" BIGINT,
    "updatedAt" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "RollupProgress_pkey" PRIMARY KEY ("job")
);

-- AddForeignKey
ALTER TABLE "RenewRollup" ADD CONSTRAINT "RenewRollup_leaseId_fkey" FOREIGN KEY ("leaseId") REFERENCES "Lease"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TimelineRollup" ADD CONSTRAINT "TimelineRollup_leaseId_fkey" FOREIGN KEY ("leaseId") REFERENCES "Lease"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The audit probes one lease's transitions with ORDER BY at, id LIMIT 1: with id in the index the probe
-- stops at its first entry, where the planner otherwise walks Transition_at_idx filtering by lease.
DROP INDEX "Transition_leaseId_at_idx";

-- CreateIndex
CREATE INDEX "Transition_leaseId_at_id_idx" ON "Transition"("leaseId", "at", "id");

-- The planner reads one lease's day of transitions by time (this index) rather than by lease, as the
-- heap is in time order; with leaseId in the index it skips the other leases' rows without visiting
-- their heap pages (measured: 24 ms to 12 ms for the 4,580 transitions of a flapping lease's day).
DROP INDEX "Transition_at_idx";

-- CreateIndex
CREATE INDEX "Transition_at_leaseId_idx" ON "Transition"("at", "leaseId");
