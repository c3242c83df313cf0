package etl.health;

import java.nio.file.Path;
import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import etl.io.Folders;

/** Readiness: the outbox folder can be written (else every POST /liveEvent answers 503). */
public class OutboxHealthCheck extends AbstractHealthCheck {

    private final Path dir;

    public OutboxHealthCheck(Path dir) {
        super("etl", "outbox");
        this.dir = dir;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        try {
            Folders.checkWritable(dir);
            builder.up();
        } catch (Exception e) {
            builder.message("the outbox " + dir.toAbsolutePath() + " cannot be written: " + e).down();
        }
    }
}
