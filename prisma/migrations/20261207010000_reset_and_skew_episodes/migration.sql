-- A record that went backwards (etcd restore, re-created API server) is a transition of its own.
ALTER TYPE "TransitionKind" ADD VALUE 'reset';

CREATE TYPE "SkewReason" AS ENUM ('future_renew', 'steady_offset');

CREATE TABLE "SkewEpisode" (
    "id" BIGSERIAL NOT NULL,
    "leaseId" INTEGER NOT NULL,
    "holder" TEXT NOT NULL,
    "reason" "SkewReason" NOT NULL,
    "offsetMs" INTEGER NOT NULL,
    "startedAt" TIMESTAMPTZ(6) NOT NULL,
    "endedAt" TIMESTAMPTZ(6),

    CONSTRAINT "SkewEpisode_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "SkewEpisode_leaseId_startedAt_idx" ON "SkewEpisode"("leaseId", "startedAt");

ALTER TABLE "SkewEpisode" ADD CONSTRAINT "SkewEpisode_leaseId_fkey" FOREIGN KEY ("leaseId") REFERENCES "Lease"("id") ON DELETE CASCADE ON UPDATE CASCADE;
