-- The half's table of sums, dropped in the half's own transaction once its sums are applied (half-sums-table.sql).
DROP TABLE batch_half
