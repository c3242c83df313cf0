-- One half of a large batch's sums, applied on a second connection (etl.processor.ApplyTotals, etl.processor.split-users):
-- a table of that half's own (batch_half is replaced by its name), which update-totals.sql and upsert-totals.sql then
-- read in place of batch_sums. UNLOGGED, and dropped again before the half is prepared (half-drop.sql): PostgreSQL
-- prepares no transaction that touched a temporary table.
CREATE UNLOGGED TABLE batch_half (u varchar NOT NULL, a numeric NOT NULL, i integer NOT NULL)
