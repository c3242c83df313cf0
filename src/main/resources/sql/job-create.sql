-- A new job, queued; the row comes back as it was inserted (as job-get.sql shows a job), so the 202 says "queued"
-- even when a runner has claimed the job by the time the answer is written. With an Idempotency-Key already used for a
-- job of this kind nothing is inserted (no row comes back) and job-by-key.sql finds the first one.
INSERT INTO etl_jobs (id, kind, status, request, idempotency_key)
VALUES (:#etlJobId, :#etlJobKind, 'queued', CAST(:#etlJobRequest AS json), :#etlJobKey)
ON CONFLICT (kind, idempotency_key) DO NOTHING
RETURNING id, kind, status, request::text AS request, result::text AS result, total, done, attempts, error,
          created_at, started_at, finished_at, expires_at
