-- One job as the API shows it; an expired one is gone at once, before the sweep removes it.
SELECT id, kind, status, request::text AS request, result::text AS result, total, done, attempts, error,
       created_at, started_at, finished_at, expires_at
FROM etl_jobs WHERE kind = :#etlJobKind AND id = :#etlJobId
  AND (expires_at IS NULL OR expires_at > clock_timestamp())
