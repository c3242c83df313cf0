-- Every total, in the same snapshot as audit-files.sql.
SELECT user_id, revenue FROM users_revenue
