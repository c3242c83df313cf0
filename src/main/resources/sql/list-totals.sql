-- GET /userEvents?limit=&after=: one page of every total, in the order of the primary key's index (a range scan from
-- the cursor, no OFFSET). :#limit is one more than the page, so that the step knows whether a next page exists.
SELECT user_id, revenue FROM users_revenue WHERE user_id > :#etlAfter ORDER BY user_id LIMIT :#etlLimit
