-- Each Lease's metadata.labels, so an SLO can scope leases by a Kubernetes label selector (issue 20).
-- Rows written before this hold '{}' until the controller's next list or watch event for them.
ALTER TABLE "Lease" ADD COLUMN "labels" JSONB NOT NULL DEFAULT '{}';

ALTER TABLE "Slo" ADD COLUMN "labelSelector" TEXT NOT NULL DEFAULT '';
