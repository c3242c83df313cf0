INSERT INTO users_revenue (user_id, revenue)
SELECT u, a FROM unnest(CAST(:#users AS varchar[]), CAST(:#amounts AS numeric[])) AS batch(u, a)
ORDER BY u COLLATE "C"
ON CONFLICT (user_id) DO UPDATE SET revenue = users_revenue.revenue + EXCLUDED.revenue
