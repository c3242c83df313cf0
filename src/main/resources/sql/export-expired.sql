-- Exports past their retention (the route export-retention removes their files first).
SELECT id, result::text AS result FROM etl_jobs
WHERE kind = 'export' AND expires_at < clock_timestamp()
