-- Schema of the revenue ETL. Applied by the system at start-up (under an advisory lock) and safe to apply twice;
-- it also runs by hand: psql -f db.sql

-- The per-user running totals (the contract's table).
CREATE TABLE IF NOT EXISTS users_revenue (
    user_id VARCHAR(255) PRIMARY KEY,
    revenue NUMERIC(20, 2) NOT NULL
);

-- The outbox files already applied, written by camel-sql's JdbcMessageIdRepository (processorName 'outbox-files')
-- in the same transaction as the totals they changed. Own DDL: the auto-created table has messageId VARCHAR(100).
CREATE TABLE IF NOT EXISTS camel_messageprocessed (
    processorName VARCHAR(255) NOT NULL,
    messageId VARCHAR(255) NOT NULL,
    createdAt TIMESTAMP NOT NULL,
    PRIMARY KEY (processorName, messageId)
);
CREATE INDEX IF NOT EXISTS camel_messageprocessed_created ON camel_messageprocessed (createdAt);

-- The Idempotency-Keys of applied requests, written in the same transaction as their events; events is the number
-- of events of the request that was applied (the answer to a repeat).
CREATE TABLE IF NOT EXISTS idempotency_keys (
    idempotency_key VARCHAR(200) PRIMARY KEY,
    events INTEGER NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS idempotency_keys_applied_at ON idempotency_keys (applied_at);
