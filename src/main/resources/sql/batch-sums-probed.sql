-- After update-totals.sql (etl.processor.ApplyTotals): the join methods batch-sums-probe.sql turned off, set back to
-- the session's own for the rest of the batch's transaction.
SET LOCAL enable_hashjoin TO DEFAULT
;
SET LOCAL enable_mergejoin TO DEFAULT
