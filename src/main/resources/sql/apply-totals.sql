INSERT INTO users_revenue (user_id, revenue)
SELECT * FROM unnest(CAST(:#users AS varchar[]), CAST(:#amounts AS numeric[]))
ON CONFLICT (user_id) DO UPDATE SET revenue = users_revenue.revenue + EXCLUDED.revenue
