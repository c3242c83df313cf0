-- A half of this batch is applied on another connection and prepared under this id (etl.processor.ApplyTotals): written
-- in the batch's transaction before the half is prepared, so that the id's row exists exactly when the batch committed.
INSERT INTO batch_halves (gid) VALUES (?)
