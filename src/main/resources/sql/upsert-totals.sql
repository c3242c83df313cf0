-- The sums of a batch per user where update-totals.sql and insert-totals-copy.sql met another process's batch on the
-- same users (etl.processor.ApplyTotals, in both modes): in user order, waiting for the other batch and adding to its
-- row. The statement every batch used before the MERGE (which those two replaced on 2026-12-05).
INSERT INTO users_revenue (user_id, revenue)
SELECT u, a FROM batch_sums ORDER BY u COLLATE "C"
ON CONFLICT (user_id) DO UPDATE SET revenue = users_revenue.revenue + EXCLUDED.revenue
