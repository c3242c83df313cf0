-- A run that failed: queued again while it has attempts left, else failed for good with the reason.
UPDATE etl_jobs
SET status = CASE WHEN attempts >= :#etlJobMaxAttempts THEN 'failed' ELSE 'queued' END,
    finished_at = CASE WHEN attempts >= :#etlJobMaxAttempts THEN clock_timestamp() END,
    error = :#etlJobError, lease_until = NULL
WHERE id = :#etlJobId AND owner = :#etlJobOwner AND status = 'running'
