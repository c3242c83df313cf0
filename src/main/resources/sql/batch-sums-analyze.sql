-- The batch's sums counted for the planner before update-totals.sql joins them with users_revenue (etl.processor.
-- ApplyTotals): a table filled in this transaction has no statistics, so PostgreSQL took the batch for 36,720 rows of
-- 74 bytes and a users_revenue of 259,268 rows (which autovacuum had not analyzed yet) for 19,880 rows of 542 bytes,
-- and built its hash table from the whole of users_revenue to probe it with the batch's 65,822 users: 70 ms and 16 MB
-- of fresh memory (page faults) per half. Counted, it hashes the batch and reads users_revenue past it. A sample of
-- 300 rows (statistics target 1, for this transaction only) is enough for the row count and width: 2 ms.
SELECT set_config('default_statistics_target', '1', true)
;
ANALYZE batch_sums
