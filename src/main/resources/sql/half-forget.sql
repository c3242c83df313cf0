-- A half committed or rolled back: its id is no longer needed (etl.processor.ApplyTotals, etl.processor.PreparedHalves).
DELETE FROM batch_halves WHERE gid = ?
