-- The rows of an export, counted in the export's own snapshot (its progress is rows written / this). Parameters:
-- userIdPrefix twice, minRevenue twice, maxRevenue twice (each null for no filter).
SELECT count(*) FROM users_revenue
WHERE (CAST(? AS text) IS NULL OR starts_with(user_id, CAST(? AS text)))
  AND (CAST(? AS numeric) IS NULL OR revenue >= CAST(? AS numeric))
  AND (CAST(? AS numeric) IS NULL OR revenue <= CAST(? AS numeric))
