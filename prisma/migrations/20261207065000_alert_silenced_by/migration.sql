-- The matcher silence covering an open alert (issue 20 review): stored so the alert reads as silenced, and by which.
ALTER TABLE "Alert" ADD COLUMN "silencedBy" INTEGER;
