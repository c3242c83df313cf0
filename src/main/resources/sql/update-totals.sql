-- The users of a batch that have a total already (etl.processor.ApplyTotals, both modes; their sums copied into
-- batch_sums first): their sums added, one statement; it names their places in the batch, so that the others, the new
-- users, go into users_revenue by COPY (insert-totals-copy.sql). In a savepoint with that COPY: where another process
-- inserted one of the new users meanwhile, upsert-totals.sql applies the same sums instead.
UPDATE users_revenue AS total SET revenue = total.revenue + batch.a
FROM batch_sums AS batch
WHERE total.user_id = batch.u
RETURNING batch.i
