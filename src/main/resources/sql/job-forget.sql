-- An expired job, once its files are removed.
DELETE FROM etl_jobs WHERE id = :#etlJobId AND expires_at < clock_timestamp()
