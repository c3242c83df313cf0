-- Where a batch's sums per user go first (etl.processor.ApplyTotals, both modes), by COPY (batch-sums-copy.sql), for
-- merge-totals.sql (or upsert-totals.sql) to read: a temporary table of the connection's session, emptied at every
-- commit and rollback, made once per connection (made again after a rollback of the transaction that made it).
CREATE TEMPORARY TABLE IF NOT EXISTS batch_sums (u varchar NOT NULL, a numeric NOT NULL) ON COMMIT DELETE ROWS
;
-- and emptied before each use: a batch isolated request by request (etl.processor.IsolatedApply) applies several in one
-- transaction, each in a savepoint, and each must merge its own sums alone (an earlier request's rows left here were
-- merged again: added twice, or "MERGE command cannot affect row a second time"). On an empty table this costs nothing.
DELETE FROM batch_sums
