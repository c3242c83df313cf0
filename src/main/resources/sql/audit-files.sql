-- The outbox files applied so far (camel-sql's marks, written in the transaction that applied each), in the order
-- they were applied: the audit re-reads exactly these, in the audit's own snapshot.
SELECT messageId AS file, createdAt AS applied_at FROM camel_messageprocessed
WHERE processorName = 'outbox-files' ORDER BY createdAt, messageId
