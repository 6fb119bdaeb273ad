-- Access to pods and Events is recorded per namespace, so a lease page says what is missing in its own namespace.
ALTER TABLE "ContextPermission" ADD COLUMN "namespace" TEXT NOT NULL DEFAULT '*';
ALTER TABLE "ContextPermission" DROP CONSTRAINT "ContextPermission_pkey";
ALTER TABLE "ContextPermission" ADD CONSTRAINT "ContextPermission_pkey" PRIMARY KEY ("clusterId", "resource", "namespace");
-- What was recorded per cluster for namespaced resources is recorded again per namespace within a minute.
DELETE FROM "ContextPermission" WHERE resource IN ('pods', 'events', 'events_k8s_io');
