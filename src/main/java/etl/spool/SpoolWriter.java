package etl.spool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import etl.io.Folders;

/**
 * Writes accepted requests durably into the outbox, with group commit ({@link GroupCommit}): the requests that arrive
 * while one write is being forced to disk are written together, with one flush for all of them.
 * <p>
 * The groups are appended to an open segment: a file under a hidden name ({@code .<name>.open}, which the processor
 * skips), locked by this process while it is open. A group is written and forced ({@code fdatasync}; the segment's
 * first group also forces the file's metadata and the folder, so that its name survives a power loss) before
 * {@link #write(byte[])} returns: a 200 is on the device. Once the segment holds {@code segmentBytes} or is
 * {@code segmentMillis} old (checked after each group, and while idle), it is sealed: renamed atomically to its name
 * {@code <millis>-<process>-<seq>.jsonl}, the folder forced, and only then does the processor see it. A file of its
 * own per group, as before, cost a new file, a rename and two journal commits per group: 0.67 ms against 0.14-0.18 ms
 * for an append and its flush on these machines' disks, and the single-event requests waited on it.
 * <p>
 * A segment left open by a process that died (its lock is gone with it) is sealed by whoever finds it
 * ({@link OrphanSegments}: this writer at its start, the processor's route {@code spool-orphans}); the processor
 * reads a torn last line, which was never answered, as it reads any torn line (kept in {@code .rejected/}).
 * <p>
 * Camel's file producer is not used here: in Camel 4.18 its {@code forceWrites} option is read but never applied
 * (FileOperations does not call force), so it cannot give the 200-means-on-disk promise.
 */
public final class SpoolWriter extends GroupCommit<byte[], String> implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(SpoolWriter.class);

    private final Path dir;
    private final String processTag;
    private final AtomicLong seq = new AtomicLong();
    private final long maxSegmentBytes;
    private final long segmentNanos;

    // the open segment, touched by the writer's thread only
    private FileChannel segment;
    private String segmentName;
    private Path segmentPath;
    private long segmentBytes;
    private long segmentOpened;
    private boolean segmentNamed; // its metadata and its name in the folder are on the device

    /**
     * @param maxBatchBytes  how many bytes one group (one flush) may hold
     * @param lingerMicros   how long a write waits for more requests to join it before it is forced to disk
     * @param segmentBytes   a segment is sealed once it holds this many bytes
     * @param segmentMillis  a segment is sealed once it is this old (the processor sees nothing of it before)
     */
    public SpoolWriter(Path dir, long maxBatchBytes, long lingerMicros, long timeoutMillis, long segmentBytes,
            long segmentMillis) {
        super("outbox-spool-writer", maxBatchBytes, lingerMicros, timeoutMillis);
        this.dir = dir;
        this.processTag = ProcessHandle.current().pid() + "x"
                + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20, 1 << 24), 36);
        this.maxSegmentBytes = segmentBytes;
        this.segmentNanos = TimeUnit.MILLISECONDS.toNanos(segmentMillis);
    }

    /** The linger is at most an fsync's time: see {@link GroupCommit#lingerAtMostACommit()}. */
    @Override
    protected boolean lingerAtMostACommit() {
        return true;
    }

    /**
     * Appends one complete line (ending in a newline) to the outbox and waits until it is on the device. Returns
     * the name that the file holding it has once it is sealed.
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
        new OrphanSegments(dir).adopt(); // what a stopped process of this outbox left open
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
        if (segment == null) {
            open();
        }
        ByteBuffer[] buffers = new ByteBuffer[lines.size()];
        long n = 0;
        for (int i = 0; i < buffers.length; i++) {
            buffers[i] = ByteBuffer.wrap(lines.get(i));
            n += buffers[i].remaining();
        }
        try {
            for (long left = n; left > 0; ) {
                left -= segment.write(buffers);
            }
            // until a group has made the segment's name durable, each forces the metadata and the folder too
            segment.force(!segmentNamed);
            if (!segmentNamed) {
                Folders.forceFolder(dir);
                segmentNamed = true;
            }
        } catch (IOException e) {
            takeBack(e);
            throw e;
        }
        String name = segmentName;
        segmentBytes += n;
        if (segmentBytes >= maxSegmentBytes || System.nanoTime() - segmentOpened >= segmentNanos) {
            seal();
        }
        return name;
    }

    /** A new segment: created under a name no one adopts, locked, then given its open name. */
    private void open() throws IOException {
        String name = pad(System.currentTimeMillis(), 13) + "-" + processTag + "-" + pad(seq.incrementAndGet(), 6)
                + ".jsonl";
        Path creating = dir.resolve(OrphanSegments.creatingName(name));
        Path open = dir.resolve(OrphanSegments.openName(name));
        OrphanSegments.HELD.add(name); // before the file exists: OrphanSegments never opens it (see there)
        FileChannel ch;
        try {
            ch = FileChannel.open(creating, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (IOException | RuntimeException e) {
            OrphanSegments.HELD.remove(name);
            throw e;
        }
        try {
            Folders.setPrivate(creating);
            if (ch.tryLock() == null) {
                throw new IOException("cannot lock " + creating);
            }
            Files.move(creating, open, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            ch.close();
            OrphanSegments.HELD.remove(name);
            Files.deleteIfExists(creating);
            throw e;
        }
        segment = ch;
        segmentName = name;
        segmentPath = open;
        segmentBytes = 0;
        segmentOpened = System.nanoTime();
        segmentNamed = false;
    }

    /**
     * A group that failed is taken back out of the segment (its callers are told that nothing was kept). Where that
     * fails too, the segment is left to be adopted as it is: the lines of the failed group may then be applied,
     * though their callers were answered with an error (as when a process dies between its flush and its answer).
     */
    private void takeBack(IOException cause) {
        try {
            segment.truncate(segmentBytes);
            segment.force(true);
        } catch (IOException | RuntimeException e) {
            LOG.error("Outbox segment {}: a failed write ({}) could not be taken back ({}); left to be sealed as it is",
                    segmentPath, cause.toString(), e.toString());
            release();
        }
    }

    /** The segment becomes a spool file, visible to the processor; nothing is open afterwards. */
    private void seal() {
        if (segment == null) {
            return;
        }
        try {
            if (segmentBytes == 0) {
                Files.delete(segmentPath);
            } else {
                Files.move(segmentPath, dir.resolve(segmentName), StandardCopyOption.ATOMIC_MOVE);
                Folders.forceFolder(dir);
            }
        } catch (IOException | RuntimeException e) {
            // what it holds is on the device: route spool-orphans seals it once the folder can be written again
            LOG.error("Outbox segment {} could not be sealed ({}); left to be sealed later", segmentPath, e.toString());
        }
        release();
    }

    /** Closes the open segment (its lock goes with it) and forgets it. */
    private void release() {
        try {
            segment.close();
        } catch (IOException e) {
            LOG.warn("Outbox segment {}: {}", segmentPath, e.toString());
        }
        OrphanSegments.HELD.remove(segmentName);
        segment = null;
        segmentName = null;
        segmentPath = null;
    }

    @Override
    protected long idleWaitNanos(int lane) {
        long max = super.idleWaitNanos(lane); // a stop is seen within it
        return segment == null ? max
                : Math.min(max, Math.max(100_000, segmentOpened + segmentNanos - System.nanoTime()));
    }

    @Override
    protected void idle(int lane) {
        if (segment != null && System.nanoTime() - segmentOpened >= segmentNanos) {
            seal();
        }
    }

    @Override
    protected void afterLast(int lane) {
        seal();
    }
}
