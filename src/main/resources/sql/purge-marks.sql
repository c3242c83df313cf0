DELETE FROM idempotency_keys WHERE applied_at < now() - make_interval(days => CAST(:#etlRetentionDays AS integer))
