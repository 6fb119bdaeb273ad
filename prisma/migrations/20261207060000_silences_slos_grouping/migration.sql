-- Matcher silences, leadership SLOs, grouping, a runbook link per alert rule, SLO burn-rate rules (issue 20).
ALTER TYPE "AlertRuleKind" ADD VALUE 'slo_burn';
ALTER TABLE "AlertRule" ADD COLUMN "runbookUrl" TEXT;

-- Grouping: one notification per rule and group key; existing rules keep sending at once (no wait).
ALTER TABLE "AlertRule" ADD COLUMN "groupBy" TEXT[] DEFAULT ARRAY['cluster']::TEXT[],
    ADD COLUMN "groupWaitSeconds" INTEGER NOT NULL DEFAULT 0;

-- The condition's own span, apart from the alert's (which outlives it by the quiet period).
ALTER TABLE "Alert" ADD COLUMN "conditionSince" TIMESTAMPTZ(6),
    ADD COLUMN "conditionEndedAt" TIMESTAMPTZ(6),
    ADD COLUMN "endedBy" TEXT;

CREATE TABLE "Silence" (
    "id" SERIAL NOT NULL,
    "clusterPattern" TEXT NOT NULL DEFAULT '*',
    "namespacePattern" TEXT NOT NULL DEFAULT '*',
    "leasePattern" TEXT NOT NULL DEFAULT '*',
    "rulePattern" TEXT NOT NULL DEFAULT '*',
    "startsAt" TIMESTAMPTZ(6) NOT NULL,
    "endsAt" TIMESTAMPTZ(6) NOT NULL,
    "comment" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiredAt" TIMESTAMPTZ(6),
    "expiredBy" TEXT,

    CONSTRAINT "Silence_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "Silence_endsAt_idx" ON "Silence"("endsAt");

CREATE TABLE "Slo" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "clusterPattern" TEXT NOT NULL DEFAULT '*',
    "namespacePattern" TEXT NOT NULL DEFAULT '*',
    "leasePattern" TEXT NOT NULL DEFAULT '*',
    "targetPercent" DOUBLE PRECISION NOT NULL,
    "windowDays" INTEGER NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "Slo_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "Slo_name_key" ON "Slo"("name");
