-- A job done: its result, and when it expires (exports: ETL_EXPORT_RETENTION_DAYS after now).
UPDATE etl_jobs
SET status = 'completed', result = CAST(:#etlJobResult AS json), done = :#etlJobDone, total = :#etlJobDone,
    finished_at = clock_timestamp(), lease_until = NULL,
    expires_at = clock_timestamp() + :#etlJobRetentionMs * interval '1 millisecond'
WHERE id = :#etlJobId AND owner = :#etlJobOwner AND status = 'running'
