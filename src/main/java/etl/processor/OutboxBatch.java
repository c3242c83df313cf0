package etl.processor;

import java.util.List;

/**
 * The plan of one processor transaction, in exchange property {@link #PROPERTY}: the outbox files it takes (the oldest,
 * as listed once), how many it may take, whether it applies them one request at a time (a refused request is among
 * them), and when it started. What the transaction changes travels in the body ({@link Sums}).
 */
public final class OutboxBatch {

    /** The exchange property that holds the plan of the transaction in progress. */
    public static final String PROPERTY = "etlBatch";
    /** The exchange property that holds the spool record being applied. */
    public static final String RECORD = "etlRecord";

    private final int maxFiles;
    private final long started = System.nanoTime();
    private List<String> listed = List.of();
    private boolean isolated;

    /** True when the exchange's batch is applied one request at a time. */
    public static final class Isolated implements org.apache.camel.Predicate {
        @Override
        public boolean matches(org.apache.camel.Exchange exchange) {
            OutboxBatch b = exchange.getProperty(PROPERTY, OutboxBatch.class);
            return b != null && b.isolated;
        }
    }

    public OutboxBatch(int maxFiles) {
        this.maxFiles = maxFiles;
    }

    public int maxFiles() {
        return maxFiles;
    }

    public long started() {
        return started;
    }

    /** The outbox files of this batch, oldest first, as listed once; remembers whether the listing was full. */
    public List<String> take(List<String> names) {
        listed = names;
        return names;
    }

    /** Applies this batch one request at a time, each in a savepoint (a refused request is among its files). */
    public void isolate(boolean on) {
        isolated = on;
    }

    public boolean isolated() {
        return isolated;
    }

    /** The first file of the listing, or null. */
    public String firstListed() {
        return listed.isEmpty() ? null : listed.get(0);
    }

    /** True when the batch took as many files as it may: more are probably waiting. */
    public boolean full() {
        return listed.size() >= maxFiles;
    }

    /** The files listed for this batch (applied now or found applied before): they leave the outbox after commit. */
    public List<String> listed() {
        return listed;
    }
}
