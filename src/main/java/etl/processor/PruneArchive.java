package etl.processor;

import java.io.IOException;
import java.time.Instant;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The archive's retention, a step of route {@code archive-retention}: removes applied outbox files older than
 * {@code etl.archive.retention-days}, then the oldest while the archive is larger than {@code etl.archive.max-bytes},
 * and says so in the log (the audit of the archive is partial from then on).
 */
public final class PruneArchive implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(PruneArchive.class);

    private final OutboxFiles outbox;
    private final long maxAgeMillis;
    private final long maxBytes;

    public PruneArchive(OutboxFiles outbox, double retentionDays, long maxBytes) {
        this.outbox = outbox;
        this.maxAgeMillis = (long) (retentionDays * 86_400_000L);
        this.maxBytes = maxBytes;
    }

    @Override
    public void process(Exchange exchange) throws IOException {
        OutboxFiles.Pruned p = outbox.pruneArchive(maxAgeMillis, maxBytes);
        if (p.files() > 0) {
            // the audit reads this: the archive holds no file spooled before it any more
            java.nio.file.Path marker = outbox.archiveDir().resolve(etl.jobs.AuditRun.PRUNED_UNTIL);
            long before = java.nio.file.Files.isRegularFile(marker)
                    ? Long.parseLong(java.nio.file.Files.readString(marker).trim()) : 0;
            etl.io.Folders.writeDurably(marker, Long.toString(Math.max(before, p.newestRemovedMillis()))
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            LOG.info("Archive outbox/.done/: removed {} applied files ({} bytes), spooled up to {}", p.files(),
                    p.bytes(), Instant.ofEpochMilli(p.newestRemovedMillis()));
        }
    }
}
