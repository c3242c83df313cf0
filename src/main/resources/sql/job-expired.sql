-- Finished jobs past their retention (route job-retention removes their files first): exports after
-- ETL_EXPORT_RETENTION_DAYS, imports after ETL_JOB_RETENTION_DAYS.
SELECT id, kind, result::text AS result FROM etl_jobs WHERE expires_at < clock_timestamp()
