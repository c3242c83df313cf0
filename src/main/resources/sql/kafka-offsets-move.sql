-- Kafka mode: a partition's next offset after the batch, in the batch's transaction.
UPDATE kafka_offsets SET next_offset = ? WHERE topic = ? AND kafka_partition = ?
