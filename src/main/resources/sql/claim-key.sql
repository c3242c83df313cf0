INSERT INTO idempotency_keys (idempotency_key, events) VALUES (:#etlKey, :#etlEvents)
ON CONFLICT (idempotency_key) DO NOTHING
