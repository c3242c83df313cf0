-- The rows of an export, in user order, read through a cursor (the driver's fetch size) in the same REPEATABLE READ
-- transaction as export-count.sql: one consistent snapshot, whatever the processor commits meanwhile. Parameters as
-- in export-count.sql.
SELECT user_id, revenue FROM users_revenue
WHERE (CAST(? AS text) IS NULL OR starts_with(user_id, CAST(? AS text)))
  AND (CAST(? AS numeric) IS NULL OR revenue >= CAST(? AS numeric))
  AND (CAST(? AS numeric) IS NULL OR revenue <= CAST(? AS numeric))
ORDER BY user_id
