DELETE FROM etl_jobs WHERE kind = :#etlJobKind AND id = :#etlJobId RETURNING id, status, result::text AS result
