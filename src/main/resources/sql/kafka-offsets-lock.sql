-- Kafka mode: the batch's partitions' next offsets, locked in partition order (two consumers of one partition during
-- a rebalance apply one after the other, and never deadlock).
SELECT kafka_partition, next_offset FROM kafka_offsets
WHERE topic = ? AND kafka_partition = ANY (?) ORDER BY kafka_partition FOR UPDATE
