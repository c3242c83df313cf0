-- Halves of batches still prepared, in this database, for longer than a few seconds (etl.processor.PreparedHalves): the
-- process that prepared one normally commits or rolls it back at once after its batch; one left longer lost its
-- process, or its connection to the database, in between.
SELECT gid FROM pg_prepared_xacts
WHERE gid LIKE 'etl-half-%' AND database = current_database() AND prepared < now() - make_interval(secs => ?)
ORDER BY prepared
