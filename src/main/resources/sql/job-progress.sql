-- A running job's progress, which also renews its lease (parameters: done, total, the result so far or null to keep
-- it, the lease in ms, id, owner). No row updated: the job was deleted, or taken over by another process after its
-- lease ran out; this run stops.
UPDATE etl_jobs SET done = ?, total = ?, result = COALESCE(CAST(? AS json), result),
    lease_until = clock_timestamp() + ? * interval '1 millisecond'
WHERE id = ? AND owner = ? AND status = 'running'
