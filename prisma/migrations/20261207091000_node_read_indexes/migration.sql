-- heartbeat_gap alerts (issue 19, "cheap at 5,000 nodes"): the engine read every node's renew samples of the
-- window on every tick, and the preview every sample of its hours. Only samples whose interval reaches the
-- shortest threshold a rule may have (minHeartbeatGapSeconds, 11 s; a node renews every 10 s) matter to them:
-- this partial index holds just those, so the reads visit the gaps alone (lib/store/alert-facts.ts, which
-- writes the same 11000 as a literal so the planner can use it). On the partitioned table it is built on every
-- partition, and the partition job's new partitions get it when they are attached.
CREATE INDEX "RenewSample_gap_idx" ON "RenewSample" ("renewTime") WHERE "intervalMs" >= 11000;

-- The Nodes view's burst search likewise reads only the per-node minute rollups with a gap of 11 s or more
-- (its threshold is 15 s; lib/store/node-heartbeats.ts), not every node's row of every minute that had one:
-- at 5,000 nodes some node misses a renewal nearly every minute.
CREATE INDEX "RenewRollup_gap_idx" ON "RenewRollup" ("bucket") WHERE "intervalMaxMs" >= 11000;

-- The Nodes view reads every node's rows of a few minutes, 10-minute blocks or hours: by time, not by lease.
-- Their primary keys lead with the lease; BRIN indexes on "bucket" (the rows are written in time order) let
-- those reads visit the pages of the span instead of a whole month partition.
CREATE INDEX "RenewRollup_bucket_idx" ON "RenewRollup" USING BRIN ("bucket");
CREATE INDEX "NodeHeartbeatTenMinute_bucket_idx" ON "NodeHeartbeatTenMinute" USING BRIN ("bucket");
CREATE INDEX "NodeHeartbeatHour_bucket_idx" ON "NodeHeartbeatHour" USING BRIN ("bucket");
