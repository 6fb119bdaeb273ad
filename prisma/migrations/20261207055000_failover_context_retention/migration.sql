-- Retention of the failover context prunes by age without scanning the tables.
CREATE INDEX "PodSighting_deletedAt_idx" ON "PodSighting"("deletedAt");
CREATE INDEX "ContainerRestart_observedAt_idx" ON "ContainerRestart"("observedAt");
CREATE INDEX "KubeEvent_lastAt_idx" ON "KubeEvent"("lastAt");
