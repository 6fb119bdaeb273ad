-- AlterEnum
ALTER TYPE "AcquireCause" ADD VALUE 'preferred_holder' BEFORE 'unknown';

-- AlterEnum
ALTER TYPE "AlertRuleKind" ADD VALUE 'heartbeat_gap';

-- CreateEnum
CREATE TYPE "KubeEventApi" AS ENUM ('core', 'events_k8s_io');

-- CreateEnum
CREATE TYPE "DegradedReason" AS ENUM ('renewals_stalled', 'watch_failed');

-- CreateEnum
CREATE TYPE "ContextResource" AS ENUM ('pods', 'events', 'events_k8s_io', 'leasecandidates');

-- CreateEnum
CREATE TYPE "ContextAccess" AS ENUM ('granted', 'denied', 'absent');

-- CreateTable
CREATE TABLE "PodSighting" (
    "id" BIGSERIAL NOT NULL,
    "clusterId" INTEGER NOT NULL,
    "namespace" TEXT NOT NULL,
    "pod" TEXT NOT NULL,
    "uid" TEXT NOT NULL,
    "nodeName" TEXT,
    "ownerKind" TEXT,
    "ownerName" TEXT,
    "firstSeenAt" TIMESTAMPTZ(6) NOT NULL,
    "lastSeenAt" TIMESTAMPTZ(6) NOT NULL,
    "deletedAt" TIMESTAMPTZ(6),

    CONSTRAINT "PodSighting_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ContainerRestart" (
    "id" BIGSERIAL NOT NULL,
    "clusterId" INTEGER NOT NULL,
    "namespace" TEXT NOT NULL,
    "pod" TEXT NOT NULL,
    "podUid" TEXT NOT NULL,
    "container" TEXT NOT NULL,
    "restartCount" INTEGER NOT NULL,
    "reason" TEXT,
    "exitCode" INTEGER,
    "startedAt" TIMESTAMPTZ(6),
    "finishedAt" TIMESTAMPTZ(6),
    "observedAt" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "ContainerRestart_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "KubeEvent" (
    "id" BIGSERIAL NOT NULL,
    "clusterId" INTEGER NOT NULL,
    "api" "KubeEventApi" NOT NULL,
    "uid" TEXT NOT NULL,
    "namespace" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "involvedKind" TEXT NOT NULL,
    "involvedName" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "type" TEXT,
    "reportingComponent" TEXT,
    "firstAt" TIMESTAMPTZ(6) NOT NULL,
    "lastAt" TIMESTAMPTZ(6) NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 1,
    "observedAt" TIMESTAMPTZ(6) NOT NULL,
    "deletedAt" TIMESTAMPTZ(6),

    CONSTRAINT "KubeEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LeaseCandidate" (
    "id" SERIAL NOT NULL,
    "clusterId" INTEGER NOT NULL,
    "namespace" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "leaseName" TEXT NOT NULL,
    "binaryVersion" TEXT NOT NULL,
    "emulationVersion" TEXT,
    "strategy" TEXT,
    "pingTime" TIMESTAMPTZ(6),
    "renewTime" TIMESTAMPTZ(6),
    "createdAt" TIMESTAMPTZ(6) NOT NULL,
    "observedAt" TIMESTAMPTZ(6) NOT NULL,
    "deletedAt" TIMESTAMPTZ(6),

    CONSTRAINT "LeaseCandidate_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DegradedBand" (
    "id" BIGSERIAL NOT NULL,
    "clusterId" INTEGER NOT NULL,
    "startedAt" TIMESTAMPTZ(6) NOT NULL,
    "endedAt" TIMESTAMPTZ(6),
    "reason" "DegradedReason" NOT NULL,
    "stalledLeases" INTEGER NOT NULL,
    "totalLeases" INTEGER NOT NULL,

    CONSTRAINT "DegradedBand_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ContextPermission" (
    "clusterId" INTEGER NOT NULL,
    "resource" "ContextResource" NOT NULL,
    "access" "ContextAccess" NOT NULL,
    "detail" TEXT,
    "checkedAt" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "ContextPermission_pkey" PRIMARY KEY ("clusterId","resource")
);

-- CreateIndex
CREATE UNIQUE INDEX "PodSighting_clusterId_uid_key" ON "PodSighting"("clusterId", "uid");

-- CreateIndex
CREATE INDEX "PodSighting_clusterId_namespace_pod_idx" ON "PodSighting"("clusterId", "namespace", "pod");

-- CreateIndex
CREATE INDEX "PodSighting_clusterId_namespace_nodeName_idx" ON "PodSighting"("clusterId", "namespace", "nodeName");

-- CreateIndex
CREATE UNIQUE INDEX "ContainerRestart_clusterId_podUid_container_restartCount_key" ON "ContainerRestart"("clusterId", "podUid", "container", "restartCount");

-- CreateIndex
CREATE INDEX "ContainerRestart_clusterId_namespace_pod_observedAt_idx" ON "ContainerRestart"("clusterId", "namespace", "pod", "observedAt");

-- CreateIndex
CREATE UNIQUE INDEX "KubeEvent_clusterId_uid_key" ON "KubeEvent"("clusterId", "uid");

-- CreateIndex
CREATE INDEX "KubeEvent_clusterId_namespace_involvedKind_involvedName_las_idx" ON "KubeEvent"("clusterId", "namespace", "involvedKind", "involvedName", "lastAt");

-- CreateIndex
CREATE UNIQUE INDEX "LeaseCandidate_clusterId_namespace_name_key" ON "LeaseCandidate"("clusterId", "namespace", "name");

-- CreateIndex
CREATE INDEX "LeaseCandidate_clusterId_namespace_leaseName_idx" ON "LeaseCandidate"("clusterId", "namespace", "leaseName");

-- CreateIndex
CREATE UNIQUE INDEX "DegradedBand_clusterId_startedAt_key" ON "DegradedBand"("clusterId", "startedAt");

-- CreateIndex
CREATE INDEX "DegradedBand_clusterId_endedAt_idx" ON "DegradedBand"("clusterId", "endedAt");

-- AddForeignKey
ALTER TABLE "PodSighting" ADD CONSTRAINT "PodSighting_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ContainerRestart" ADD CONSTRAINT "ContainerRestart_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "KubeEvent" ADD CONSTRAINT "KubeEvent_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LeaseCandidate" ADD CONSTRAINT "LeaseCandidate_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DegradedBand" ADD CONSTRAINT "DegradedBand_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ContextPermission" ADD CONSTRAINT "ContextPermission_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;
