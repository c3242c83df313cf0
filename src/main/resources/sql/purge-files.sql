DELETE FROM camel_messageprocessed
WHERE processorName = 'outbox-files' AND createdAt < now() - make_interval(days => CAST(:#etlRetentionDays AS integer))
