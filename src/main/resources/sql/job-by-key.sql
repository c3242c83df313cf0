SELECT id FROM etl_jobs WHERE kind = :#etlJobKind AND idempotency_key = :#etlJobKey
