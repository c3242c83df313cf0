MERGE INTO users_revenue AS total
USING (SELECT u, a FROM unnest(CAST(:#users AS varchar[]), CAST(:#amounts AS numeric[])) AS batch(u, a)
       ORDER BY u COLLATE "C") AS batch
ON total.user_id = batch.u
WHEN MATCHED THEN UPDATE SET revenue = total.revenue + batch.a
WHEN NOT MATCHED THEN INSERT (user_id, revenue) VALUES (batch.u, batch.a)
