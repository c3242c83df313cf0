package etl.health;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import etl.io.Folders;

/**
 * Readiness: the outbox folder can be written (else every POST /liveEvent answers 503), and its disk has room (an
 * empty test file still fits on a full disk, so free space is checked against {@code etl.outbox.min-free-bytes}).
 */
public class OutboxHealthCheck extends AbstractHealthCheck {

    private final Path dir;
    private final long minFreeBytes;

    public OutboxHealthCheck(Path dir, long minFreeBytes) {
        super("etl", "outbox");
        this.dir = dir;
        this.minFreeBytes = minFreeBytes;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        try {
            Folders.checkWritable(dir);
            long free = Files.getFileStore(dir).getUsableSpace();
            if (free < minFreeBytes) {
                builder.message(String.format("the outbox's disk has %d MiB free, less than the %d MiB required"
                        + " (ETL_OUTBOX_MIN_FREE_BYTES)", free >> 20, minFreeBytes >> 20)).down();
                return;
            }
            builder.up();
        } catch (Exception e) {
            builder.message("the outbox " + dir.toAbsolutePath() + " cannot be written: " + e).down();
        }
    }
}
