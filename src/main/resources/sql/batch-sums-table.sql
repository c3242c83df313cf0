-- Where a batch's sums per user go first (etl.processor.ApplyTotals, both modes), by COPY (batch-sums-copy.sql), for
-- update-totals.sql (or upsert-totals.sql) to read (i: the user's place in the batch, which update-totals.sql
-- returns for the users it updated): a temporary table of the connection's session, emptied at every
-- commit and rollback, made once per connection (made again after a rollback of the transaction that made it).
CREATE TEMPORARY TABLE IF NOT EXISTS batch_sums (u varchar NOT NULL, a numeric NOT NULL, i integer NOT NULL)
    ON COMMIT DELETE ROWS
;
-- and emptied before each use: a batch isolated request by request (etl.processor.IsolatedApply) applies several in one
-- transaction, each in a savepoint, and each must apply its own sums alone (an earlier request's rows left here were
-- applied again: added twice). On an empty table this costs nothing.
DELETE FROM batch_sums
