-- A new job, queued. With an Idempotency-Key already used for a job of this kind nothing is inserted (no row comes
-- back) and job-by-key.sql finds the first one.
INSERT INTO etl_jobs (id, kind, status, request, idempotency_key)
VALUES (:#etlJobId, :#etlJobKind, 'queued', CAST(:#etlJobRequest AS json), :#etlJobKey)
ON CONFLICT (kind, idempotency_key) DO NOTHING
RETURNING id
