-- Every export's id and status, for the sweep of files that no export owns (route export-orphans).
SELECT id, status FROM etl_jobs WHERE kind = 'export'
