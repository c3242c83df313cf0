package etl.processor;

import java.util.List;

/**
 * What one transaction of the processor takes, decided by {@link StartBatch} before it starts: the outbox files,
 * oldest first, as listed once (they leave the outbox after the commit, applied now or found applied before); whether
 * the listing was full (more are probably waiting); whether they are applied one request at a time (a request the
 * database refuses for good is among them); and when it started. Header {@link BatchSteps#PLAN} of the processor's
 * routes.
 */
public record BatchPlan(List<String> files, boolean full, boolean isolated, long startedNanos) {

    /** The first file of the listing, or null. */
    public String first() {
        return files.isEmpty() ? null : files.get(0);
    }
}
