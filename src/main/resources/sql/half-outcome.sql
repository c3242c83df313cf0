-- What became of the batch that prepared a half (etl.processor.PreparedHalves): the same id inserted again waits for
-- the batch's transaction if it is still running; no row inserted means the batch committed (commit the half), one
-- inserted means it rolled back or its process died (roll the half back).
INSERT INTO batch_halves (gid) VALUES (?) ON CONFLICT (gid) DO NOTHING
