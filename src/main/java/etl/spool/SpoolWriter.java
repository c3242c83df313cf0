package etl.spool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.support.service.ServiceSupport;

import etl.io.Folders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes accepted requests durably into the outbox, with group commit: the requests that arrive while one write is
 * being forced to disk are written together in the next file, with one fsync for all of them.
 * <p>
 * Each file is written under a hidden temporary name (the processor skips names starting with a dot), forced to the
 * device, renamed atomically to {@code <millis>-<process>-<seq>.jsonl}, and then the folder itself is forced, so that
 * the new name survives a power loss. {@link #write(String)} returns only after all of that.
 * <p>
 * Camel's file producer is not used here: in Camel 4.18 its {@code forceWrites} option is read but never applied
 * (FileOperations does not call force), so it cannot give the 200-means-on-disk promise.
 */
public final class SpoolWriter extends ServiceSupport implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(SpoolWriter.class);

    private record Pending(byte[] line, CompletableFuture<String> done) {
    }

    private final Path dir;
    private final long maxBatchBytes;
    private final long lingerNanos;
    private final long timeoutMillis;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final String processTag;
    private final AtomicLong seq = new AtomicLong();
    private volatile Thread thread;
    private volatile boolean running;

    /**
     * @param lingerMicros how long a write waits for more requests to join it before it is forced to disk: under
     *                     load, requests answered by one fsync come back a moment later, and without a short wait
     *                     each group would hold only the first few of them
     */
    public SpoolWriter(Path dir, long maxBatchBytes, long lingerMicros, long timeoutMillis) {
        this.dir = dir;
        this.maxBatchBytes = maxBatchBytes;
        this.lingerNanos = lingerMicros * 1000;
        this.timeoutMillis = timeoutMillis;
        this.processTag = ProcessHandle.current().pid() + "x"
                + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20, 1 << 24), 36);
    }

    /**
     * Appends one complete line (ending in a newline) to the outbox and waits until it is on the device. Returns
     * the name of the file that holds it.
     *
     * @throws UncheckedIOException when the outbox cannot be written
     */
    public String write(byte[] line) {
        if (!isStarted()) {
            throw new UncheckedIOException(new IOException("the outbox writer is not running"));
        }
        Pending p = new Pending(line, new CompletableFuture<>());
        queue.add(p);
        try {
            return p.done.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof UncheckedIOException u ? u
                    : new UncheckedIOException(new IOException(c.getMessage(), c));
        } catch (TimeoutException e) {
            return afterTimeout(p);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted while writing the outbox"));
        }
    }

    /**
     * A write that waited too long: if the writer has not taken it yet, it is withdrawn and nothing is kept (the
     * caller answers 503 and the client retries). If the writer has it, it is being written and forced right now:
     * answering "nothing was kept" would be a lie (it would be applied, and a retry counted twice), so the outcome is
     * awaited instead.
     */
    private String afterTimeout(Pending p) {
        if (queue.remove(p)) {
            throw new UncheckedIOException(new IOException("the outbox write took longer than " + timeoutMillis
                    + " ms; nothing was kept"));
        }
        try {
            return p.done.get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof UncheckedIOException u ? u : new UncheckedIOException(new IOException(c.getMessage(), c));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted while writing the outbox"));
        }
    }

    /** Route step {@code outbox-spool}: the body, a spool line, is written durably; the body becomes its file's name. */
    @Override
    public void process(Exchange exchange) {
        exchange.getMessage().setBody(write(exchange.getMessage().getBody(byte[].class)));
    }

    @Override
    protected void doStart() throws Exception {
        Files.createDirectories(dir);
        running = true;
        thread = new Thread(this::loop, "outbox-spool-writer");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    protected void doStop() throws Exception {
        // no interrupt: an interrupted FileChannel closes, and a group interrupted after its rename would be on disk
        // while its requests were told it failed. The loop finishes the group in hand and ends.
        running = false;
        Thread t = thread;
        thread = null;
        if (t != null) {
            t.join(10_000);
        }
        List<Pending> left = new ArrayList<>();
        queue.drainTo(left);
        left.forEach(p -> p.done.completeExceptionally(new IOException("the outbox writer stopped")));
    }

    private void loop() {
        List<Pending> batch = new ArrayList<>();
        while (running) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
            } catch (InterruptedException e) {
                return;
            }
            long bytes = batch.get(0).line.length;
            long deadline = System.nanoTime() + lingerNanos;
            try {
                Pending next;
                while (bytes < maxBatchBytes
                        && (next = queue.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) != null) {
                    batch.add(next);
                    bytes += next.line.length;
                }
            } catch (InterruptedException e) {
                // nothing interrupts this thread (stop() does not): write what is gathered and go on
            }
            try {
                String name = writeDurably(batch);
                batch.forEach(p -> p.done.complete(name));
            } catch (IOException | RuntimeException e) {
                LOG.error("Cannot write the outbox {}: {}", dir, e.toString());
                UncheckedIOException failure = e instanceof IOException io ? new UncheckedIOException(io)
                        : new UncheckedIOException(new IOException(e.toString(), e));
                batch.forEach(p -> p.done.completeExceptionally(failure));
            }
            batch.clear();
        }
    }

    private String writeDurably(List<Pending> batch) throws IOException {
        String name = String.format("%013d-%s-%06d.jsonl", System.currentTimeMillis(), processTag, seq.incrementAndGet());
        Folders.writeDurably(dir.resolve(name), batch.stream().map(p -> ByteBuffer.wrap(p.line)).toArray(ByteBuffer[]::new));
        return name;
    }
}
