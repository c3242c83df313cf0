package etl.processor;

import java.util.function.BooleanSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exponential backoff for the processor: after a failed file (the database down, say) the polling thread waits
 * before the file is tried again, doubling the wait up to a maximum; the first success resets it.
 */
public final class Backoff {

    private static final Logger LOG = LoggerFactory.getLogger(Backoff.class);

    private final long initialMillis;
    private final long maxMillis;
    private final BooleanSupplier stopping;
    private long next;

    /** {@code stopping}: while the application stops, a failure does not wait (the shutdown would). */
    public Backoff(long initialMillis, long maxMillis, BooleanSupplier stopping) {
        this.initialMillis = initialMillis;
        this.maxMillis = maxMillis;
        this.stopping = stopping;
        this.next = initialMillis;
    }

    /** Called after a failure: waits, then lets the failure roll the file back (it is tried again). */
    public void failed(Exception cause) throws InterruptedException {
        if (stopping.getAsBoolean()) {
            return;
        }
        long wait;
        synchronized (this) {
            wait = next;
            next = Math.min(maxMillis, next * 2);
        }
        LOG.warn("Outbox file not applied ({}); trying again in {} ms", cause == null ? "?" : cause.getMessage(), wait);
        Thread.sleep(wait);
    }

    public synchronized void succeeded() {
        next = initialMillis;
    }

    /** True after a failure until the next success: the processor then takes one file at a time. */
    public synchronized boolean failing() {
        return next != initialMillis;
    }

    public synchronized long nextWaitMillis() {
        return next;
    }
}
