package etl.processor;

import java.util.List;
import java.util.function.BooleanSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the processor does after a failed batch, once its transaction has rolled back (no connection, lock or key
 * claim is held while it waits). A failure that passes (the database down, say): the polling thread waits before the
 * files are tried again, doubling the wait up to a maximum, one file at a time until the first success. A request the
 * database refuses for good ({@link Failures#refusedForGood}): no wait; the files of the failed batch are applied
 * again one file per transaction and one request per savepoint, so that the refused request is set aside and every
 * other one applied.
 */
public final class Backoff {

    private static final Logger LOG = LoggerFactory.getLogger(Backoff.class);

    private final long initialMillis;
    private final long maxMillis;
    private final BooleanSupplier stopping;
    private long next;
    /** While set, files up to this name are applied one request at a time (a refused request is among them). */
    private String isolateThrough;

    /** {@code stopping}: while the application stops, a failure does not wait (the shutdown would). */
    public Backoff(long initialMillis, long maxMillis, BooleanSupplier stopping) {
        this.initialMillis = initialMillis;
        this.maxMillis = maxMillis;
        this.stopping = stopping;
        this.next = initialMillis;
    }

    /**
     * Called after a failed batch, outside its transaction: either isolates the batch's files (a request the
     * database refuses for good is among them) or waits, then lets the files be tried again.
     */
    public void failed(Exception cause, BatchPlan batch) throws InterruptedException {
        if (batch != null && !batch.isolated() && !batch.files().isEmpty() && Failures.refusedForGood(cause)) {
            List<String> files = batch.files();
            synchronized (this) {
                String last = files.get(files.size() - 1);
                if (isolateThrough == null || isolateThrough.compareTo(last) < 0) {
                    isolateThrough = last;
                }
            }
            LOG.warn("Outbox {}{}: the database refuses a request for good ({}); applying these files one request at"
                    + " a time to set it aside", files.get(0), files.size() > 1 ? " to " + files.get(files.size() - 1)
                    : "", Failures.reason(cause));
            return;
        }
        if (stopping.getAsBoolean()) {
            return;
        }
        long wait;
        synchronized (this) {
            wait = next;
            next = Math.min(maxMillis, next * 2);
        }
        LOG.warn("Outbox not applied ({}); trying again in {} ms", cause == null ? "?" : Failures.reason(cause), wait);
        Thread.sleep(wait);
    }

    /** How many files the next batch takes: one while failing or isolating. */
    public synchronized int filesPerBatch(int normal) {
        return next != initialMillis || isolateThrough != null ? 1 : normal;
    }

    /** True when a batch starting with this file is to be applied one request at a time. */
    public synchronized boolean isolating(String firstFile) {
        if (isolateThrough == null || firstFile == null) {
            return false;
        }
        if (firstFile.compareTo(isolateThrough) <= 0) {
            return true;
        }
        isolateThrough = null;
        return false;
    }

    /** Route step: the batch committed; the next failure waits the initial time again. */
    public final class Succeeded implements org.apache.camel.Processor {
        @Override
        public void process(org.apache.camel.Exchange exchange) {
            succeeded();
        }
    }

    public synchronized void succeeded() {
        next = initialMillis;
    }

    public synchronized long nextWaitMillis() {
        return next;
    }
}
