-- The users of a batch that were all guessed to have a total already (etl.processor.ApplyTotals: those KnownUsers took
-- for new went into users_revenue by COPY first): their sums added, and only their number returned. Where it is the
-- number of users in batch_sums, each one had its total and no place needs naming: update-totals.sql sends a row back
-- for each user (66,000 rows a half in the last batch of a million distinct users), which the driver reads one by one.
-- Else (a user guessed known has no total: a batch that learned it was rolled back) the savepoint is rolled back and
-- update-totals.sql names the users it updates.
UPDATE users_revenue AS total SET revenue = total.revenue + batch.a
FROM batch_sums AS batch
WHERE total.user_id = batch.u
