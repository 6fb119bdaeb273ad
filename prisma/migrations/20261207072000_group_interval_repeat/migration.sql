-- Alertmanager's group_interval and repeat_interval per rule (issue 20). Existing rules get 0 for both, so
-- they keep what they did: changes of a group sent at once, no reminders. New rules get 300 s and 4 h from the API.
ALTER TABLE "AlertRule" ADD COLUMN "groupIntervalSeconds" INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN "repeatIntervalSeconds" INTEGER NOT NULL DEFAULT 0;

CREATE TABLE "NotificationGroup" (
    "id" SERIAL NOT NULL,
    "ruleId" INTEGER NOT NULL,
    "channelId" INTEGER NOT NULL,
    "groupKey" TEXT NOT NULL,
    "lastSentAt" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "NotificationGroup_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "NotificationGroup_ruleId_channelId_groupKey_key" ON "NotificationGroup"("ruleId", "channelId", "groupKey");
CREATE INDEX "NotificationGroup_lastSentAt_idx" ON "NotificationGroup"("lastSentAt");

ALTER TABLE "NotificationGroup" ADD CONSTRAINT "NotificationGroup_ruleId_fkey" FOREIGN KEY ("ruleId") REFERENCES "AlertRule"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "NotificationGroup" ADD CONSTRAINT "NotificationGroup_channelId_fkey" FOREIGN KEY ("channelId") REFERENCES "NotificationChannel"("id") ON DELETE CASCADE ON UPDATE CASCADE;
