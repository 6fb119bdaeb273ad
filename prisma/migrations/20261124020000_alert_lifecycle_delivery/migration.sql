-- AlterTable
ALTER TABLE "Alert" ADD COLUMN     "lastActiveAt" TIMESTAMPTZ(6);
UPDATE "Alert" SET "lastActiveAt" = "lastEvaluatedAt" WHERE "lastActiveAt" IS NULL;
ALTER TABLE "Alert" ALTER COLUMN "lastActiveAt" SET NOT NULL;

-- AlterTable
ALTER TABLE "Notification" ADD COLUMN     "lastAttemptAt" TIMESTAMPTZ(6);

-- CreateIndex
CREATE INDEX "Alert_silencedUntil_idx" ON "Alert"("silencedUntil");
