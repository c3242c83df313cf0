package etl.spool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

import etl.io.Folders;

/**
 * Writes accepted requests durably into the outbox, with group commit ({@link GroupCommit}): the requests that arrive while one
 * write is being forced to disk are written together in the next file, with one fsync for all of them.
 * <p>
 * Each file is written under a hidden temporary name (the processor skips names starting with a dot), forced to the
 * device, renamed atomically to {@code <millis>-<process>-<seq>.jsonl}, and then the folder itself is forced, so that
 * the new name survives a power loss. {@link #write(byte[])} returns only after all of that.
 * <p>
 * Camel's file producer is not used here: in Camel 4.18 its {@code forceWrites} option is read but never applied
 * (FileOperations does not call force), so it cannot give the 200-means-on-disk promise.
 */
public final class SpoolWriter extends GroupCommit<byte[], String> implements Processor {

    private final Path dir;
    private final String processTag;
    private final AtomicLong seq = new AtomicLong();

    /**
     * @param lingerMicros how long a write waits for more requests to join it before it is forced to disk
     */
    public SpoolWriter(Path dir, long maxBatchBytes, long lingerMicros, long timeoutMillis) {
        super("outbox-spool-writer", maxBatchBytes, lingerMicros, timeoutMillis);
        this.dir = dir;
        this.processTag = ProcessHandle.current().pid() + "x"
                + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20, 1 << 24), 36);
    }

    /** The linger is at most an fsync's time: see {@link GroupCommit#lingerAtMostACommit()}. */
    @Override
    protected boolean lingerAtMostACommit() {
        return true;
    }

    /**
     * Appends one complete line (ending in a newline) to the outbox and waits until it is on the device. Returns
     * the name of the file that holds it.
     *
     * @throws UncheckedIOException when the outbox cannot be written
     */
    public String write(byte[] line) {
        return submit(line);
    }

    /** Route step {@code outbox-spool}: the body, a spool line, is written durably; the body becomes its file's name. */
    @Override
    public void process(Exchange exchange) {
        exchange.getMessage().setBody(write(exchange.getMessage().getBody(byte[].class)));
    }

    @Override
    protected void doStart() throws Exception {
        Files.createDirectories(dir);
        super.doStart();
    }

    /** {@code n} in at least {@code width} digits, zeros in front (what %013d gave, without a Formatter). */
    private static String pad(long n, int width) {
        String s = Long.toString(n);
        return s.length() >= width ? s : "0".repeat(width - s.length()) + s;
    }

    @Override
    protected long bytes(byte[] line) {
        return line.length;
    }

    @Override
    protected String commit(int lane, List<byte[]> lines) throws IOException {
        String name = pad(System.currentTimeMillis(), 13) + "-" + processTag + "-" + pad(seq.incrementAndGet(), 6)
                + ".jsonl";
        Folders.writeDurably(dir.resolve(name), lines.stream().map(ByteBuffer::wrap).toArray(ByteBuffer[]::new));
        return name;
    }
}
