-- GET /imports, GET /exports: a page of jobs of a kind, newest first, from the cursor (the last job of the page
-- before: its creation time and id) by a range scan of etl_jobs_newest. :#etlLimit is one more than the page.
SELECT id, kind, status, request::text AS request, result::text AS result, total, done, attempts, error,
       created_at, started_at, finished_at, expires_at
FROM etl_jobs
WHERE kind = :#etlJobKind
  AND (expires_at IS NULL OR expires_at > clock_timestamp())
  AND (created_at, id) < (CAST(:#etlBeforeTime AS timestamptz), :#etlBeforeId)
ORDER BY created_at DESC, id DESC
LIMIT :#etlLimit
