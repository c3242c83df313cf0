-- The memory of a batch's sorts and hashes (etl.processor.ApplyTotals, both modes; etl.processor.work-mem), for its
-- transaction only (set_config's third argument: SET LOCAL). The MERGE joins the batch's users with the whole table:
-- with PostgreSQL's default of 4 MB, a table past about 150,000 users is hashed in parts spilled to disk, which
-- also undoes the batch's order (462,000 users into 274,000: the join 1.2-1.5 s instead of 0.4, the MERGE 2.8-3.4 s
-- instead of 2.2).
SELECT set_config('work_mem', ?, true)
