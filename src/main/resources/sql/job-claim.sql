-- The oldest job of a kind that is waiting: queued, or running with its lease run out (its process died). Claimed by
-- one process only (SKIP LOCKED: others take the next one); the lease is renewed by every progress update.
UPDATE etl_jobs
SET status = 'running', attempts = attempts + 1, owner = :#etlJobOwner, done = 0, error = NULL,
    lease_until = clock_timestamp() + :#etlJobLeaseMs * interval '1 millisecond',
    started_at = clock_timestamp()
WHERE id = (SELECT id FROM etl_jobs
            WHERE kind = :#etlJobKind
              AND (status = 'queued' OR (status = 'running' AND lease_until < clock_timestamp()))
            ORDER BY created_at
            LIMIT 1
            FOR UPDATE SKIP LOCKED)
RETURNING id, request::text AS request, attempts
