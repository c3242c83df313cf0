-- Jobs interrupted (their lease run out) as many times as they may be tried: failed, with the reason.
UPDATE etl_jobs
SET status = 'failed', finished_at = clock_timestamp(), lease_until = NULL,
    error = 'interrupted ' || attempts || ' times (the process running it stopped); not tried again'
WHERE kind = :#etlJobKind AND status = 'running' AND lease_until < clock_timestamp() AND attempts >= :#etlJobMaxAttempts
