-- The status page's jobs: every one waiting or running, and the ten that finished last.
(SELECT id, kind, status, done, total, created_at, finished_at FROM etl_jobs WHERE status IN ('queued', 'running')
 ORDER BY created_at LIMIT 50)
UNION ALL
(SELECT id, kind, status, done, total, created_at, finished_at FROM etl_jobs WHERE status IN ('completed', 'failed')
 ORDER BY finished_at DESC LIMIT 10)
