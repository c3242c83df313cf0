package etl.spool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import org.apache.camel.AsyncCallback;
import org.apache.camel.AsyncProcessor;
import org.apache.camel.Exchange;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit, the way both logs take accepted requests: callers queue an item and wait; a thread takes the first
 * waiting item, lets more join until a short linger after that first one was queued (under load, the requests answered
 * by one commit come back a moment later, and without the wait each group would hold only the first few of them; an
 * item that waited out the linger while the last group was committed goes at once), and commits the group at once: the
 * outbox writes one file with one fsync ({@link SpoolWriter}), Kafka mode one transaction
 * ({@code etl.kafka.KafkaLog}). Each caller learns its group's outcome.
 * <p>
 * An item that waited longer than the timeout: if the thread has not taken it yet, it is withdrawn and nothing is kept
 * (the caller answers 503, the client retries). If the thread has it, the group is being committed right now:
 * answering "nothing was kept" could be a lie (it may be applied, and a retry counted twice), so the outcome is awaited
 * instead; {@link #commit} must therefore end, one way or the other, in bounded time.
 * <p>
 * A caller waits for its group ({@link #submit}), or is told once it is committed ({@link #submitAsync}): as a route
 * step, the HTTP API's exchanges go on where {@link #RESUME_ON} says, and no worker thread waits for a flush.
 *
 * @param <T> what a caller hands in (a spool line, a request's records)
 * @param <R> what a caller gets back once its group is committed
 */
public abstract class GroupCommit<T, R> extends ServiceSupport implements AsyncProcessor {

    private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);

    /**
     * Exchange property: an {@link Executor} on which the caller wants its route to go on once the group is committed,
     * instead of waiting for it on its own thread ({@link #process(Exchange, AsyncCallback)}). Set by the API's
     * consumer ({@code etl.http.ResumingHttpEngine}): the route resumes on the request's event loop.
     */
    public static final String RESUME_ON = "etlResumeOn";

    private record Pending<T, R>(T item, CompletableFuture<R> done, long queuedAt) {
    }

    private final String name;
    private final int lanes;
    private final long maxGroupBytes;
    private final long lingerNanos;
    private final long timeoutMillis;
    private final BlockingQueue<Pending<T, R>> queue = new LinkedBlockingQueue<>();
    private final long timeoutNanos;
    private volatile List<Thread> threads = List.of();
    private volatile ScheduledExecutorService timeouts;
    private volatile boolean running;
    /** Set by stop() before it fails what is left in the queue: an item queued after that is failed by its caller. */
    private volatile boolean closed;
    private final LongAdder groupsCommitted = new LongAdder();
    private final LongAdder itemsCommitted = new LongAdder();

    /**
     * @param name          the thread's name, and what the errors say could not be written
     * @param maxGroupBytes a group closes once its items hold this many bytes ({@link #bytes})
     * @param lingerMicros  how long a group waits for more items after its first
     * @param timeoutMillis how long a caller waits for its item to be taken
     */
    protected GroupCommit(String name, long maxGroupBytes, long lingerMicros, long timeoutMillis) {
        this(name, 1, maxGroupBytes, lingerMicros, timeoutMillis);
    }

    /**
     * @param lanes how many groups may be committed at once, each by a thread of its own (a lane); 1 for the outbox,
     *              whose concurrent fsyncs did not overlap on this disk
     */
    protected GroupCommit(String name, int lanes, long maxGroupBytes, long lingerMicros, long timeoutMillis) {
        this.name = name;
        this.lanes = lanes;
        this.maxGroupBytes = maxGroupBytes;
        this.lingerNanos = lingerMicros * 1000;
        this.timeoutMillis = timeoutMillis;
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    }

    /** Commits a whole group on lane {@code lane}, or throws: then every item of it failed and none of it is kept. */
    protected abstract R commit(int lane, List<T> group) throws Exception;

    /** An item's size, to close a group at {@code maxGroupBytes}. */
    protected abstract long bytes(T item);

    /**
     * Whether a group lingers at most as long as a commit takes (an average of the lane's last ones), not the whole
     * configured linger: on a device whose fsync is short, the requests answered by one commit are back before a long
     * linger ends, and waiting longer than a commit adds latency without adding company (the outbox: 32 connections,
     * fsync 0.5 ms, 10,227 requests/s with 1.5 ms against 13,970 with 0.5 ms; where the fsync takes 5 ms, the linger
     * stays the configured one, which was best there). False: always the configured linger (Kafka's commits pay for
     * larger groups).
     */
    protected boolean lingerAtMostACommit() {
        return false;
    }

    /** How long a lane waits for an item before it calls {@link #idle}: 100 ms unless a subclass has work due. */
    protected long idleWaitNanos(int lane) {
        return TimeUnit.MILLISECONDS.toNanos(100);
    }

    /** Called on a lane's thread when no item came within {@link #idleWaitNanos} (e.g. to close what is open). */
    protected void idle(int lane) {
    }

    /** Called on a lane's thread when it ends (e.g. to close its client). */
    protected void afterLast(int lane) {
    }

    /**
     * Queues one item and waits until its group is committed.
     *
     * @throws UncheckedIOException when the group failed, or the item waited too long to be taken (nothing kept)
     */
    public R submit(T item) {
        try {
            return submitAsync(item).get();
        } catch (ExecutionException e) {
            throw unchecked(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted while waiting for " + name));
        }
    }

    /**
     * Queues one item; the future completes once its group is committed ({@link UncheckedIOException} when it failed,
     * or when the item waited longer than the timeout to be taken: nothing of it kept). The caller's thread is free
     * meanwhile: the HTTP API's worker does not wait for the fsync.
     */
    public CompletableFuture<R> submitAsync(T item) {
        if (!isStarted()) {
            return CompletableFuture.failedFuture(new UncheckedIOException(new IOException(name + " is not running")));
        }
        Pending<T, R> p = new Pending<>(item, new CompletableFuture<>(), System.nanoTime());
        queue.add(p);
        if (closed && queue.remove(p)) { // queued after stop() drained the queue: nobody would ever take it
            p.done.completeExceptionally(new UncheckedIOException(new IOException(name + " stopped")));
        }
        return p.done;
    }

    /** Groups committed so far (each one write and one flush of the outbox, one transaction of Kafka). */
    public long groupsCommitted() {
        return groupsCommitted.sum();
    }

    /** Items (requests) committed so far, in those groups: over {@link #groupsCommitted}, the mean group size. */
    public long itemsCommitted() {
        return itemsCommitted.sum();
    }

    /** What a route step submits: the item the exchange carries. */
    protected abstract T item(Exchange exchange);

    /** What a route step does with its group's outcome (the outbox file's name as the body); nothing by default. */
    protected void committed(Exchange exchange, R result) {
    }

    /** As a route step: submits the exchange's item and waits here for its group. */
    @Override
    public void process(Exchange exchange) {
        committed(exchange, submit(item(exchange)));
    }

    /**
     * As a route step: submits the exchange's item. Where the exchange carries {@link #RESUME_ON} (an
     * {@link Executor}), it returns at once and the route goes on there once the group is committed (the outcome, or
     * the exception, set on the exchange); without it, it waits here, as {@link #process(Exchange)} does.
     */
    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        Executor resume = exchange.getProperty(RESUME_ON, Executor.class);
        if (resume == null) {
            try {
                process(exchange);
            } catch (RuntimeException e) {
                exchange.setException(e);
            }
            callback.done(true);
            return true;
        }
        T item;
        try {
            item = item(exchange);
        } catch (RuntimeException e) {
            exchange.setException(e);
            callback.done(true);
            return true;
        }
        submitAsync(item).whenComplete((result, failure) -> resume.execute(() -> {
            if (failure == null) {
                committed(exchange, result);
            } else {
                exchange.setException(unchecked(failure instanceof CompletionException c ? c.getCause() : failure));
            }
            callback.done(false);
        }));
        return false;
    }

    @Override
    public CompletableFuture<Exchange> processAsync(Exchange exchange) {
        CompletableFuture<Exchange> done = new CompletableFuture<>();
        process(exchange, sync -> done.complete(exchange));
        return done;
    }

    /**
     * Withdraws the items that have waited longer than the timeout without being taken: nothing of them is kept, and
     * their callers are told so (they answer 503, the client retries). An item already taken is in a group being
     * committed: its outcome is awaited instead (answering "nothing was kept" could be a lie), which is why
     * {@link #commit} must end in bounded time. Items are queued in order, so the look stops at the first young one.
     */
    private void withdrawExpired() {
        long now = System.nanoTime();
        for (Pending<T, R> p : queue) {
            if (now - p.queuedAt < timeoutNanos) {
                return;
            }
            if (queue.remove(p)) {
                p.done.completeExceptionally(new UncheckedIOException(new IOException(name + " took longer than "
                        + timeoutMillis + " ms; nothing was kept")));
            }
        }
    }

    private static UncheckedIOException unchecked(Throwable c) {
        return c instanceof UncheckedIOException u ? u
                : new UncheckedIOException(c instanceof IOException io ? io : new IOException(c.getMessage(), c));
    }

    @Override
    protected void doStart() throws Exception {
        running = true;
        closed = false;
        ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread th = new Thread(task, name + "-timeouts");
            th.setDaemon(true);
            return th;
        });
        // a look a tenth of the timeout apart (at most 100 ms, at least 1 ms): an item is withdrawn within 1.1 times it
        long every = Math.max(1, Math.min(100, timeoutMillis / 10));
        sweeper.scheduleWithFixedDelay(this::withdrawExpired, every, every, TimeUnit.MILLISECONDS);
        timeouts = sweeper;
        List<Thread> started = new ArrayList<>();
        for (int lane = 0; lane < lanes; lane++) {
            int l = lane;
            Thread t = new Thread(() -> loop(l), lanes == 1 ? name : name + "-" + lane);
            t.setDaemon(true);
            t.start();
            started.add(t);
        }
        threads = started;
    }

    @Override
    protected void doStop() throws Exception {
        // no interrupt: an interrupted FileChannel closes, and a group interrupted after its commit would be kept
        // while its callers were told it failed. The loop finishes the group in hand and ends.
        running = false;
        List<Thread> ts = threads;
        threads = List.of();
        for (Thread t : ts) {
            t.join(10_000);
        }
        closed = true;
        ScheduledExecutorService sweeper = timeouts;
        if (sweeper != null) {
            sweeper.shutdownNow();
        }
        List<Pending<T, R>> left = new ArrayList<>();
        queue.drainTo(left);
        left.forEach(p -> p.done.completeExceptionally(new IOException(name + " stopped")));
    }

    private void loop(int lane) {
        List<Pending<T, R>> group = new ArrayList<>();
        List<T> items = new ArrayList<>();
        boolean adaptive = lingerAtMostACommit();
        long commitNanos = -1; // an average of the last commits' durations; -1 until one is measured
        while (running) {
            try {
                Pending<T, R> first = queue.poll(idleWaitNanos(lane), TimeUnit.NANOSECONDS);
                if (first == null) {
                    idle(lane);
                    continue;
                }
                group.add(first);
            } catch (InterruptedException e) {
                break;
            }
            long size = bytes(group.get(0).item);
            // the linger counts from the moment the group's first item was queued, not from when this thread took it:
            // under load the items queued while the last group was being committed have waited already, and making
            // them wait the whole linger again added it to every request's latency (32 connections: 4.3 ms at p50)
            long linger = adaptive && commitNanos >= 0 ? Math.min(lingerNanos, commitNanos) : lingerNanos;
            long deadline = group.get(0).queuedAt + linger;
            try {
                Pending<T, R> next;
                while (size < maxGroupBytes
                        && (next = queue.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) != null) {
                    group.add(next);
                    size += bytes(next.item);
                }
            } catch (InterruptedException e) {
                // nothing interrupts this thread (stop() does not): commit what is gathered and go on
            }
            group.forEach(p -> items.add(p.item));
            try {
                long t0 = System.nanoTime();
                R result = commit(lane, items);
                long took = System.nanoTime() - t0;
                commitNanos = commitNanos < 0 ? took : (3 * commitNanos + took) / 4;
                groupsCommitted.increment();
                itemsCommitted.add(group.size());
                group.forEach(p -> p.done.complete(result));
            } catch (Exception e) {
                LOG.error("{}: a group of {} could not be committed: {}", name, group.size(), e.toString());
                UncheckedIOException failure = unchecked(e);
                group.forEach(p -> p.done.completeExceptionally(failure));
            }
            group.clear();
            items.clear();
        }
        afterLast(lane);
    }
}
