-- The sums of a batch per user (both modes, etl.processor.ApplyTotals: copied into batch_sums first): a join, then
-- plain updates and inserts. Half the time of upsert-totals.sql on PostgreSQL 17, whose speculative insertion it avoids;
-- it has no ON CONFLICT, so it runs in a savepoint and upsert-totals.sql takes over where another process inserted one
-- of these users meanwhile.
MERGE INTO users_revenue AS total
USING (SELECT u, a FROM batch_sums ORDER BY u COLLATE "C") AS batch
ON total.user_id = batch.u
WHEN MATCHED THEN UPDATE SET revenue = total.revenue + batch.a
WHEN NOT MATCHED THEN INSERT (user_id, revenue) VALUES (batch.u, batch.a)
