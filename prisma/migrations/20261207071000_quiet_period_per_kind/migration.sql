-- Rules created before per-kind quiet periods (20261207060000_silences_slos_grouping) got the old 300 s for
-- every kind. Whether a 300 was chosen cannot be told (the API and the old form both filled it in), so a
-- rule of a kind whose default is now another value moves to it when it still has 300 and no audit entry
-- shows someone setting 300 later. Any other value was chosen and is kept. Each move is written to the audit log.
WITH per_kind(kind, seconds) AS (
  VALUES ('leaderless', 0), ('stale_data', 0), ('heartbeat_gap', 0), ('slo_burn', 0), ('renew_latency', 120)
),
cutover AS (
  SELECT finished_at FROM "_prisma_migrations"
   WHERE migration_name = '20261207060000_silences_slos_grouping' AND rolled_back_at IS NULL
),
moved AS (
  UPDATE "AlertRule" r SET "quietSeconds" = p.seconds, "updatedAt" = now()
    FROM per_kind p, cutover c
   WHERE r.kind::text = p.kind
     AND r."quietSeconds" = 300
     AND r."createdAt" < c.finished_at
     AND NOT EXISTS (
       SELECT 1 FROM "AuditEntry" a
        WHERE a."targetKind" = 'rule' AND a."targetId" = r.id::text AND a.action = 'update'
          AND a.detail #>> '{changes,quietSeconds,to}' = '300')
  RETURNING r.id, r.name, p.seconds
)
INSERT INTO "AuditEntry" (actor, action, "targetKind", "targetId", detail)
SELECT 'migration', 'update', 'rule', id::text,
       jsonb_build_object('name', name, 'changes', jsonb_build_object('quietSeconds', jsonb_build_object('from', 300, 'to', seconds)),
                          'reason', 'created before per-kind quiet periods with the old 300 s default (20261207071000_quiet_period_per_kind)')
  FROM moved;
