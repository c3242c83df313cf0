-- Kafka mode: the batch's sums per user, in user order (as apply-totals.sql in the default mode).
INSERT INTO users_revenue (user_id, revenue)
SELECT u, a FROM unnest(CAST(? AS varchar[]), CAST(? AS numeric[])) AS batch(u, a)
ORDER BY u COLLATE "C"
ON CONFLICT (user_id) DO UPDATE SET revenue = users_revenue.revenue + EXCLUDED.revenue
