-- After update-totals.sql (etl.processor.ApplyTotals): the join methods batch-sums-probe.sql turned off, set back for
-- the rest of the batch's transaction to what a session starts with (the server's setting, or its role's or database's;
-- this project's connections never SET them themselves).
SET LOCAL enable_hashjoin TO DEFAULT
;
SET LOCAL enable_mergejoin TO DEFAULT
