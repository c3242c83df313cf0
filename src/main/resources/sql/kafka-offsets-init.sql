-- Kafka mode: a partition's row, the first time a batch of it is applied (-1: take its first record as the start).
INSERT INTO kafka_offsets (topic, kafka_partition, next_offset) VALUES (?, ?, -1) ON CONFLICT DO NOTHING
