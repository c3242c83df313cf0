-- Kafka mode: a request's own key and its event count, written with its first event: the answer to a repeat.
INSERT INTO idempotency_keys (idempotency_key, events) VALUES (?, ?) ON CONFLICT DO NOTHING
