-- Kafka mode: the events' keys; only the ones returned were not applied before.
INSERT INTO idempotency_keys (idempotency_key, events)
SELECT k, 1 FROM unnest(CAST(? AS varchar[])) AS k
ON CONFLICT DO NOTHING
RETURNING idempotency_key
