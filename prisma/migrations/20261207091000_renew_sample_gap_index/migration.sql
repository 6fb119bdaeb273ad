-- heartbeat_gap alerts (issue 19, "cheap at 5,000 nodes"): the engine read every node's renew samples of the
-- window on every tick, and the preview every sample of its hours. Only samples whose interval reaches the
-- shortest threshold a rule may have (minHeartbeatGapSeconds, 11 s; a node renews every 10 s) matter to them:
-- this partial index holds just those, so the reads visit the gaps alone (lib/store/alert-facts.ts, which
-- writes the same 11000 as a literal so the planner can use it). On the partitioned table it is built on every
-- partition, and the partition job's new partitions get it when they are attached.
CREATE INDEX "RenewSample_gap_idx" ON "RenewSample" ("renewTime") WHERE "intervalMs" >= 11000;
