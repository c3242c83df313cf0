INSERT INTO users_revenue (user_id, revenue) VALUES (:#userId, :#amount)
ON CONFLICT (user_id) DO UPDATE SET revenue = users_revenue.revenue + EXCLUDED.revenue
