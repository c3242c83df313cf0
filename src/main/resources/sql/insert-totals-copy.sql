-- The new users of a batch and their sums (etl.processor.ApplyTotals, after update-totals.sql): COPY's text rows
-- "user<TAB>amount", in the ids' order ("C"). Why COPY and not the INSERT of a MERGE: COPY writes a page of rows at a
-- time, and ids in order reach the primary key's B-tree page after page; 400,000 new users and 150,000 updated into
-- 300,000 took 1.72-1.96 s so against 2.28-2.48 s for the MERGE that did both before (psql, PostgreSQL 17, 2026-12-05).
COPY users_revenue (user_id, revenue) FROM STDIN
