-- Which controller replica owns a cluster since when (shown on the Clusters page).
ALTER TABLE "Cluster" ADD COLUMN "ownerSince" TIMESTAMPTZ(6);
