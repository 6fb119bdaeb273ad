-- CreateEnum
CREATE TYPE "ClusterSource" AS ENUM ('kubeconfig', 'in_cluster', 'simulated');

-- CreateEnum
CREATE TYPE "ClusterState" AS ENUM ('pending', 'connected', 'reconnecting', 'failing', 'stopped');

-- CreateEnum
CREATE TYPE "LeaseKind" AS ENUM ('election', 'node_heartbeat', 'apiserver_identity');

-- CreateEnum
CREATE TYPE "TransitionKind" AS ENUM ('acquired', 'released', 'expired', 'deleted');

-- CreateEnum
CREATE TYPE "AcquireCause" AS ENUM ('first', 'release', 'expiry', 'early_takeover', 'unknown');

-- CreateEnum
CREATE TYPE "GapReason" AS ENUM ('watch_lost', 'history_expired', 'connect_failed', 'controller_down', 'store_overflow', 'ownership_lost');

-- CreateEnum
CREATE TYPE "AlertRuleKind" AS ENUM ('flapping', 'leaderless', 'renew_latency', 'stale_data');

-- CreateEnum
CREATE TYPE "AlertState" AS ENUM ('pending', 'firing', 'resolved');

-- CreateEnum
CREATE TYPE "ChannelKind" AS ENUM ('webhook', 'slack', 'alertmanager');

-- CreateEnum
CREATE TYPE "DeliveryStatus" AS ENUM ('pending', 'delivered', 'failed');

-- CreateTable
CREATE TABLE "Cluster" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "source" "ClusterSource" NOT NULL,
    "server" TEXT,
    "state" "ClusterState" NOT NULL DEFAULT 'pending',
    "stateReason" TEXT,
    "attempt" INTEGER NOT NULL DEFAULT 0,
    "nextRetryAt" TIMESTAMPTZ(6),
    "lastEventAt" TIMESTAMPTZ(6),
    "connectedAt" TIMESTAMPTZ(6),
    "resourceVersion" TEXT,
    "ownerInstance" TEXT,
    "createdAt" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "Cluster_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Lease" (
    "id" SERIAL NOT NULL,
    "clusterId" INTEGER NOT NULL,
    "namespace" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "LeaseKind" NOT NULL,
    "uid" TEXT,
    "holderIdentity" TEXT,
    "leaseDurationSeconds" INTEGER,
    "acquireTime" TIMESTAMPTZ(6),
    "renewTime" TIMESTAMPTZ(6),
    "leaseTransitions" INTEGER,
    "strategy" TEXT,
    "preferredHolder" TEXT,
    "resourceVersion" TEXT,
    "observedAt" TIMESTAMPTZ(6) NOT NULL,
    "holderSince" TIMESTAMPTZ(6),
    "lastCause" "AcquireCause",
    "transitionCount" INTEGER NOT NULL DEFAULT 0,
    "missedCount" INTEGER NOT NULL DEFAULT 0,
    "skewSuspectedMs" INTEGER,
    "malformedCount" INTEGER NOT NULL DEFAULT 0,
    "deletedAt" TIMESTAMPTZ(6),
    "createdAt" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "Lease_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Transition" (
    "id" BIGSERIAL NOT NULL,
    "leaseId" INTEGER NOT NULL,
    "clusterId" INTEGER NOT NULL,
    "eventKey" TEXT NOT NULL,
    "kind" "TransitionKind" NOT NULL,
    "cause" "AcquireCause",
    "at" TIMESTAMPTZ(6) NOT NULL,
    "observedAt" TIMESTAMPTZ(6) NOT NULL,
    "fromHolder" TEXT,
    "toHolder" TEXT,
    "isRestart" BOOLEAN NOT NULL DEFAULT false,
    "leaderlessMs" INTEGER,
    "overlapMs" INTEGER,
    "leaseTransitions" INTEGER,
    "missedCount" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "Transition_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RenewSample" (
    "leaseId" INTEGER NOT NULL,
    "renewTime" TIMESTAMPTZ(6) NOT NULL,
    "observedAt" TIMESTAMPTZ(6) NOT NULL,
    "intervalMs" INTEGER,
    "lagMs" INTEGER,

    CONSTRAINT "RenewSample_pkey" PRIMARY KEY ("leaseId","renewTime")
);

-- CreateTable
CREATE TABLE "RenewRollup" (
    "leaseId" INTEGER NOT NULL,
    "bucket" TIMESTAMPTZ(6) NOT NULL,
    "sampleCount" INTEGER NOT NULL,
    "intervalSumMs" BIGINT NOT NULL,
    "intervalMaxMs" INTEGER NOT NULL,
    "intervalP95Ms" INTEGER,
    "lagSumMs" BIGINT NOT NULL,
    "lagMaxMs" INTEGER NOT NULL,

    CONSTRAINT "RenewRollup_pkey" PRIMARY KEY ("leaseId","bucket")
);

-- CreateTable
CREATE TABLE "ObservationGap" (
    "id" BIGSERIAL NOT NULL,
    "clusterId" INTEGER NOT NULL,
    "startedAt" TIMESTAMPTZ(6) NOT NULL,
    "endedAt" TIMESTAMPTZ(6),
    "reason" "GapReason" NOT NULL,
    "detail" TEXT,

    CONSTRAINT "ObservationGap_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AlertRule" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "AlertRuleKind" NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "clusterPattern" TEXT NOT NULL DEFAULT '*',
    "namespacePattern" TEXT NOT NULL DEFAULT '*',
    "namePattern" TEXT NOT NULL DEFAULT '*',
    "excludePatterns" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "params" JSONB NOT NULL,
    "forSeconds" INTEGER NOT NULL DEFAULT 0,
    "quietSeconds" INTEGER NOT NULL DEFAULT 300,
    "createdAt" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "AlertRule_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Alert" (
    "id" BIGSERIAL NOT NULL,
    "ruleId" INTEGER NOT NULL,
    "subjectKey" TEXT NOT NULL,
    "state" "AlertState" NOT NULL,
    "value" DOUBLE PRECISION,
    "summary" TEXT NOT NULL,
    "startedAt" TIMESTAMPTZ(6) NOT NULL,
    "firingAt" TIMESTAMPTZ(6),
    "resolvedAt" TIMESTAMPTZ(6),
    "lastEvaluatedAt" TIMESTAMPTZ(6) NOT NULL,
    "silencedUntil" TIMESTAMPTZ(6),
    "acknowledgedAt" TIMESTAMPTZ(6),
    "acknowledgedBy" TEXT,
    "ackNote" TEXT,

    CONSTRAINT "Alert_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AlertEvent" (
    "id" BIGSERIAL NOT NULL,
    "alertId" BIGINT NOT NULL,
    "at" TIMESTAMPTZ(6) NOT NULL,
    "fromState" "AlertState",
    "toState" "AlertState" NOT NULL,
    "note" TEXT,

    CONSTRAINT "AlertEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NotificationChannel" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "ChannelKind" NOT NULL,
    "config" JSONB NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "NotificationChannel_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AlertRuleChannel" (
    "ruleId" INTEGER NOT NULL,
    "channelId" INTEGER NOT NULL,

    CONSTRAINT "AlertRuleChannel_pkey" PRIMARY KEY ("ruleId","channelId")
);

-- CreateTable
CREATE TABLE "Notification" (
    "id" BIGSERIAL NOT NULL,
    "alertId" BIGINT NOT NULL,
    "channelId" INTEGER NOT NULL,
    "event" "AlertState" NOT NULL,
    "status" "DeliveryStatus" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "nextAttemptAt" TIMESTAMPTZ(6),
    "deliveredAt" TIMESTAMPTZ(6),
    "createdAt" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Notification_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Annotation" (
    "id" BIGSERIAL NOT NULL,
    "author" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "at" TIMESTAMPTZ(6) NOT NULL,
    "endAt" TIMESTAMPTZ(6),
    "clusterId" INTEGER,
    "leaseId" INTEGER,
    "transitionId" BIGINT,
    "createdAt" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Annotation_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Cluster_name_key" ON "Cluster"("name");

-- CreateIndex
CREATE INDEX "Lease_kind_namespace_idx" ON "Lease"("kind", "namespace");

-- CreateIndex
CREATE UNIQUE INDEX "Lease_clusterId_namespace_name_key" ON "Lease"("clusterId", "namespace", "name");

-- CreateIndex
CREATE INDEX "Transition_leaseId_at_idx" ON "Transition"("leaseId", "at");

-- CreateIndex
CREATE INDEX "Transition_at_idx" ON "Transition"("at");

-- CreateIndex
CREATE INDEX "Transition_clusterId_at_idx" ON "Transition"("clusterId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "Transition_leaseId_eventKey_key" ON "Transition"("leaseId", "eventKey");

-- CreateIndex
CREATE INDEX "RenewSample_renewTime_idx" ON "RenewSample" USING BRIN ("renewTime");

-- CreateIndex
CREATE INDEX "RenewRollup_bucket_idx" ON "RenewRollup" USING BRIN ("bucket");

-- CreateIndex
CREATE INDEX "ObservationGap_startedAt_idx" ON "ObservationGap"("startedAt");

-- CreateIndex
CREATE UNIQUE INDEX "ObservationGap_clusterId_startedAt_key" ON "ObservationGap"("clusterId", "startedAt");

-- CreateIndex
CREATE UNIQUE INDEX "AlertRule_name_key" ON "AlertRule"("name");

-- CreateIndex
CREATE INDEX "Alert_state_startedAt_idx" ON "Alert"("state", "startedAt");

-- CreateIndex
CREATE INDEX "Alert_ruleId_subjectKey_state_idx" ON "Alert"("ruleId", "subjectKey", "state");

-- CreateIndex
CREATE INDEX "AlertEvent_alertId_at_idx" ON "AlertEvent"("alertId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "NotificationChannel_name_key" ON "NotificationChannel"("name");

-- CreateIndex
CREATE INDEX "AlertRuleChannel_channelId_idx" ON "AlertRuleChannel"("channelId");

-- CreateIndex
CREATE INDEX "Notification_status_nextAttemptAt_idx" ON "Notification"("status", "nextAttemptAt");

-- CreateIndex
CREATE UNIQUE INDEX "Notification_alertId_channelId_event_key" ON "Notification"("alertId", "channelId", "event");

-- CreateIndex
CREATE INDEX "Annotation_at_idx" ON "Annotation"("at");

-- CreateIndex
CREATE INDEX "Annotation_leaseId_at_idx" ON "Annotation"("leaseId", "at");

-- AddForeignKey
ALTER TABLE "Lease" ADD CONSTRAINT "Lease_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Transition" ADD CONSTRAINT "Transition_leaseId_fkey" FOREIGN KEY ("leaseId") REFERENCES "Lease"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Transition" ADD CONSTRAINT "Transition_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RenewSample" ADD CONSTRAINT "RenewSample_leaseId_fkey" FOREIGN KEY ("leaseId") REFERENCES "Lease"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RenewRollup" ADD CONSTRAINT "RenewRollup_leaseId_fkey" FOREIGN KEY ("leaseId") REFERENCES "Lease"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ObservationGap" ADD CONSTRAINT "ObservationGap_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Alert" ADD CONSTRAINT "Alert_ruleId_fkey" FOREIGN KEY ("ruleId") REFERENCES "AlertRule"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AlertEvent" ADD CONSTRAINT "AlertEvent_alertId_fkey" FOREIGN KEY ("alertId") REFERENCES "Alert"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AlertRuleChannel" ADD CONSTRAINT "AlertRuleChannel_ruleId_fkey" FOREIGN KEY ("ruleId") REFERENCES "AlertRule"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AlertRuleChannel" ADD CONSTRAINT "AlertRuleChannel_channelId_fkey" FOREIGN KEY ("channelId") REFERENCES "NotificationChannel"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Notification" ADD CONSTRAINT "Notification_alertId_fkey" FOREIGN KEY ("alertId") REFERENCES "Alert"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Notification" ADD CONSTRAINT "Notification_channelId_fkey" FOREIGN KEY ("channelId") REFERENCES "NotificationChannel"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Annotation" ADD CONSTRAINT "Annotation_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Annotation" ADD CONSTRAINT "Annotation_leaseId_fkey" FOREIGN KEY ("leaseId") REFERENCES "Lease"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Annotation" ADD CONSTRAINT "Annotation_transitionId_fkey" FOREIGN KEY ("transitionId") REFERENCES "Transition"("id") ON DELETE SET NULL ON UPDATE CASCADE;
