-- An expired export, once its file is removed.
DELETE FROM etl_jobs WHERE kind = 'export' AND id = :#etlJobId AND expires_at < clock_timestamp()
