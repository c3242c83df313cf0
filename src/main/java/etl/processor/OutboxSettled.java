package etl.processor;

import java.util.Objects;
import java.util.function.LongSupplier;

import org.apache.camel.Exchange;
import org.apache.camel.Predicate;

/**
 * Whether the processor starts a batch at this look at the outbox (route {@code outbox-processor} looks every
 * {@code etl.processor.look-ms}): when there are spool files and no segment is being written (no open segment of a
 * spool writer in the outbox: nothing more is coming now, so the first look that sees the files takes them), or
 * nothing arrived since the previous look (the files of a burst are taken together, not the first few alone), or,
 * while files keep arriving, once the first of them has
 * waited {@code etl.processor.poll-ms} (a busy server's files are taken in batches of that span, not one by one).
 * An idle processor so starts on a request's file within one or two looks instead of waiting for the next poll.
 * "Nothing arrived" compares the number of files and the greatest name (spool names begin with their time) with the
 * previous look's; a batch that ran forgets them, so files that came during it wait one look, unless the oldest has
 * waited {@code poll-ms} already by the time in its name (spooled while a long batch ran: the wait counts from the
 * spooling, not from the look that saw it; in a 1M-line file's run the batches took 300-600 ms and each following one
 * waited up to 200 ms more, so the processor fell behind and the last batch came 0.3-0.6 s after the last 200).
 */
public final class OutboxSettled implements Predicate {

    private final OutboxFiles outbox;
    private final long maxWaitMillis;
    private final long maxWaitNanos;
    private final LongSupplier clock;
    private final LongSupplier wallMillis;

    private OutboxFiles.Look last;
    private long waitingSince;
    private boolean waiting;

    public OutboxSettled(OutboxFiles outbox, long maxWaitMillis) {
        this(outbox, maxWaitMillis, System::nanoTime, System::currentTimeMillis);
    }

    /** {@code clock} in nanoseconds (the looks), {@code wallMillis} the clock that spool names are written with. */
    OutboxSettled(OutboxFiles outbox, long maxWaitMillis, LongSupplier clock, LongSupplier wallMillis) {
        this.outbox = outbox;
        this.maxWaitMillis = maxWaitMillis;
        this.maxWaitNanos = maxWaitMillis * 1_000_000;
        this.clock = clock;
        this.wallMillis = wallMillis;
    }

    @Override
    public synchronized boolean matches(Exchange exchange) {
        OutboxFiles.Look look = outbox.look();
        long now = clock.getAsLong();
        if (look.files() == 0) {
            last = null;
            waiting = false;
            return false;
        }
        if (!waiting) {
            waiting = true;
            waitingSince = now;
        }
        // no segment is being written: waiting for more would only wait
        boolean quiet = !look.writing()
                || last != null && last.files() == look.files() && Objects.equals(last.newest(), look.newest());
        if (quiet || now - waitingSince >= maxWaitNanos || waitedOut(look.oldest())) {
            last = null;
            waiting = false;
            return true;
        }
        last = look;
        return false;
    }

    /**
     * Whether the oldest file has waited the maximum already, by the time its name says it was spooled (0: a name that
     * says nothing): a file spooled while a batch ran, or before this process started, is not made to wait again.
     */
    private boolean waitedOut(String oldest) {
        long spooledAt = OutboxFiles.spooledAt(oldest);
        return spooledAt > 0 && wallMillis.getAsLong() - spooledAt >= maxWaitMillis;
    }
}
