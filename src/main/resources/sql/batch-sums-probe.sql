-- Before update-totals.sql, when the batch's users are few beside users_revenue (etl.processor.ApplyTotals,
-- PROBE_SHARE; their sums copied into batch_sums in their ids' order): the UPDATE looks each of them up in the primary
-- key, in that order, instead of hashing the batch and reading the whole of users_revenue past it. Counted or not, the
-- planner costs a lookup as a read from disk and prefers the hash, but the key's pages are in memory and the ids in
-- order walk them page after page: psql, PostgreSQL 17, a batch's last halves of a million distinct users at once (66,000
-- known users each, in a table of 631,000 of which 372,000 had just been inserted): the UPDATE 262-277 ms against
-- 333-381 ms, each half 829-872 ms against 910-998 ms. For this transaction only; batch-sums-probed.sql sets them back.
SELECT set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true)
