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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.camel.Exchange;
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
 * Under a steady load the segments' own work is kept off the groups' path, on a thread of its own
 * ({@code outbox-segments}): a segment half way to its limits has the next one made for it there (created, locked,
 * its name forced to the device), and a segment that reached its limits is sealed there, while the writer goes on with
 * the next group in the segment made ready. Done by the writer itself, between two groups, a segment's opening, its
 * first group's forced name and its sealing took the place of about one group in every 20 ms segment: single-event
 * POSTs (32 connections) went at 10,982 requests/s against 12,022 with that work beside the writer and 100 ms segments
 * (means of six alternated pairs, docs/BENCHMARKS.md). A segment made ready but not needed (the load stopped) is
 * deleted when the writer idles.
 * <p>
 * A segment left open by a process that died (its lock is gone with it) is sealed by whoever finds it
 * ({@link OrphanSegments}: this writer at its start, the processor's route {@code spool-orphans}); the processor
 * reads a torn last line, which was never answered, as it reads any torn line (kept in {@code .rejected/}).
 * <p>
 * Camel's file producer is not used here: in Camel 4.18 its {@code forceWrites} option is read but never applied
 * (FileOperations does not call force), so it cannot give the 200-means-on-disk promise.
 */
public final class SpoolWriter extends GroupCommit<byte[], String> {

    private static final Logger LOG = LoggerFactory.getLogger(SpoolWriter.class);

    private final Path dir;
    private final String processTag;
    private final AtomicLong seq = new AtomicLong();
    private final long maxSegmentBytes;
    private final long segmentNanos;

    /**
     * How long the writer waits for a group before it seals its segment however young (and deletes its spare): under
     * load the next group comes within a commit's time; after the last one the processor sees the segment soon, and an
     * outbox at rest holds no open segment (the processor takes an open one for a writer at work).
     */
    private final long idleNanos;

    /** An open segment: its channel (which holds its lock), its names, and what the writer has put in it. */
    private static final class Segment {
        final FileChannel channel;
        final String name;
        final Path path;
        /** Its metadata and its name in the folder are on the device. */
        boolean named;
        long opened;
        long bytes;

        Segment(FileChannel channel, String name, Path path, boolean named) {
            this.channel = channel;
            this.name = name;
            this.path = path;
            this.named = named;
        }
    }

    // touched by the writer's thread only; a segment handed to `segments` (to be sealed) is no longer touched here
    private Segment segment;
    /** When the last group was written (System.nanoTime). */
    private long lastGroup;
    /** The next segment, being made on {@link #segments} while the writer fills this one; null when none was asked. */
    private CompletableFuture<Segment> spare;
    /** One thread: makes the spare segments and seals the full ones, in the order asked. */
    private ExecutorService segments;
    /** How many segments the writer found made ahead (tests: the load's path is the one taken). */
    private volatile long madeAhead;

    /**
     * @param maxBatchBytes  how many bytes one group (one flush) may hold
     * @param lingerMicros   how long a write waits for more requests to join it before it is forced to disk
     * @param segmentBytes   a segment is sealed once it holds this many bytes
     * @param segmentMillis  a segment is sealed once it is this old (the processor sees nothing of it before)
     * @param idleMillis     or once no group came for this long
     */
    public SpoolWriter(Path dir, long maxBatchBytes, long lingerMicros, long timeoutMillis, long segmentBytes,
            long segmentMillis, long idleMillis) {
        super("outbox-spool-writer", maxBatchBytes, lingerMicros, timeoutMillis);
        this.dir = dir;
        this.processTag = ProcessHandle.current().pid() + "x"
                + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20, 1 << 24), 36);
        this.maxSegmentBytes = segmentBytes;
        this.segmentNanos = TimeUnit.MILLISECONDS.toNanos(segmentMillis);
        this.idleNanos = TimeUnit.MILLISECONDS.toNanos(idleMillis);
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

    /** Route step {@code outbox-spool}: the body, a spool line, is written durably ({@link GroupCommit#process}). */
    @Override
    protected byte[] item(Exchange exchange) {
        return exchange.getMessage().getBody(byte[].class);
    }

    /** The body becomes the name of the file that holds the line once it is sealed. */
    @Override
    protected void committed(Exchange exchange, String fileName) {
        exchange.getMessage().setBody(fileName);
    }

    @Override
    protected void doStart() throws Exception {
        Files.createDirectories(dir);
        new OrphanSegments(dir).adopt(); // what a stopped process of this outbox left open
        segments = Executors.newSingleThreadExecutor(task -> {
            Thread t = new Thread(task, "outbox-segments");
            t.setDaemon(true);
            return t;
        });
        super.doStart();
    }

    @Override
    protected void doStop() throws Exception {
        super.doStop(); // the writer's thread has ended: its segment and its spare are handed to `segments`
        if (segments == null) {
            return; // never started
        }
        segments.shutdown();
        if (!segments.awaitTermination(10, TimeUnit.SECONDS)) {
            LOG.warn("Outbox segments still being sealed after 10 s; what is left open is sealed at the next start");
        }
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
            segment = takeSpare();
            if (segment == null) {
                segment = open(false);
            } else {
                madeAhead++;
            }
            segment.opened = System.nanoTime();
        }
        Segment s = segment;
        ByteBuffer[] buffers = new ByteBuffer[lines.size()];
        long n = 0;
        for (int i = 0; i < buffers.length; i++) {
            buffers[i] = ByteBuffer.wrap(lines.get(i));
            n += buffers[i].remaining();
        }
        try {
            for (long left = n; left > 0; ) {
                left -= s.channel.write(buffers);
            }
            // until a group has made the segment's name durable, each forces the metadata and the folder too
            s.channel.force(!s.named);
            if (!s.named) {
                Folders.forceFolder(dir);
                s.named = true;
            }
        } catch (IOException e) {
            takeBack(e);
            throw e;
        }
        s.bytes += n;
        lastGroup = System.nanoTime();
        long age = lastGroup - s.opened;
        if (s.bytes >= maxSegmentBytes || age >= segmentNanos) {
            sealCurrent();
        } else if (spare == null && (s.bytes >= maxSegmentBytes / 2 || age >= segmentNanos / 2)) {
            // half way, and groups still coming: the next segment is made beside this one
            try {
                spare = CompletableFuture.supplyAsync(this::openSpare, segments);
            } catch (RejectedExecutionException e) {
                // stopping: the next segment, if any, is opened by the writer itself
            }
        }
        return s.name;
    }

    /**
     * Runs {@code task} on {@link #segments}, or here when that thread is gone (a writer still finishing a group after
     * the stop stopped waiting for it): a group on the device is never reported failed for want of that thread.
     */
    private void beside(Runnable task) {
        try {
            segments.execute(task);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    /** How many of the segments written were made ahead, on the segments' thread. */
    long segmentsMadeAhead() {
        return madeAhead;
    }

    /** The spare segment, made ready on {@link #segments}; null when there is none or it could not be made. */
    private Segment takeSpare() {
        CompletableFuture<Segment> f = spare;
        spare = null;
        if (f == null) {
            return null;
        }
        try {
            return f.join();
        } catch (CompletionException e) {
            // the writer opens one itself, and meets the same trouble there if it lasts
            LOG.warn("Outbox: the next segment could not be made ahead ({}); opening one now", e.getCause().toString());
            return null;
        }
    }

    private Segment openSpare() {
        try {
            return open(true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A new segment: created under a name no one adopts, locked, then given its open name; with {@code named}, its
     * name is also forced to the device here (a spare: its first group then forces its data only).
     */
    private Segment open(boolean named) throws IOException {
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
            if (named) {
                ch.force(true);
                Folders.forceFolder(dir);
            }
        } catch (IOException | RuntimeException e) {
            ch.close();
            OrphanSegments.HELD.remove(name);
            Files.deleteIfExists(creating);
            Files.deleteIfExists(open);
            throw e;
        }
        return new Segment(ch, name, open, named);
    }

    /**
     * A group that failed is taken back out of the segment (its callers are told that nothing was kept). Where that
     * fails too, the segment is left to be adopted as it is: the lines of the failed group may then be applied,
     * though their callers were answered with an error (as when a process dies between its flush and its answer).
     */
    private void takeBack(IOException cause) {
        Segment s = segment;
        try {
            s.channel.truncate(s.bytes);
            s.channel.force(true);
        } catch (IOException | RuntimeException e) {
            LOG.error("Outbox segment {}: a failed write ({}) could not be taken back ({}); left to be sealed as it is",
                    s.path, cause.toString(), e.toString());
            segment = null;
            release(s);
        }
    }

    /** The segment becomes a spool file, visible to the processor (an empty one is deleted); it is closed after. */
    private void seal(Segment s) {
        try {
            if (s.bytes == 0) {
                Files.delete(s.path);
            } else {
                Files.move(s.path, dir.resolve(s.name), StandardCopyOption.ATOMIC_MOVE);
                Folders.forceFolder(dir);
            }
        } catch (IOException | RuntimeException e) {
            // what it holds is on the device: route spool-orphans seals it once the folder can be written again
            LOG.error("Outbox segment {} could not be sealed ({}); left to be sealed later", s.path, e.toString());
        }
        release(s);
    }

    /** Closes a segment (its lock goes with it) and forgets it. */
    private static void release(Segment s) {
        try {
            s.channel.close();
        } catch (IOException e) {
            LOG.warn("Outbox segment {}: {}", s.path, e.toString());
        }
        OrphanSegments.HELD.remove(s.name);
    }

    @Override
    protected long idleWaitNanos(int lane) {
        long max = super.idleWaitNanos(lane); // a stop is seen within it
        long due;
        if (segment != null) {
            due = Math.min(segment.opened + segmentNanos, lastGroup + idleNanos);
        } else if (spare != null) {
            due = lastGroup + idleNanos;
        } else {
            return max;
        }
        return Math.min(max, Math.max(100_000, due - System.nanoTime()));
    }

    /**
     * No group came for {@link #idleWaitNanos}: a segment that is old enough is sealed (its spare kept for the groups
     * still coming); one that waited the idle time is sealed however young, and the spare deleted.
     */
    @Override
    protected void idle(int lane) {
        long now = System.nanoTime();
        if (now - lastGroup >= idleNanos) {
            sealAll();
        } else if (segment != null && now - segment.opened >= segmentNanos) {
            sealCurrent();
        }
    }

    @Override
    protected void afterLast(int lane) {
        sealAll();
    }

    /** Hands the open segment, if any, to be sealed: the next group opens another. */
    private void sealCurrent() {
        Segment s = segment;
        segment = null;
        if (s != null) {
            beside(() -> seal(s));
        }
    }

    /** Hands the open segment to be sealed, and the spare, unused, to be deleted: nothing is left open after them. */
    private void sealAll() {
        sealCurrent();
        CompletableFuture<Segment> f = spare;
        spare = null;
        if (f != null) {
            // runs after the spare's making, on the same thread: it is done (or failed) by then
            beside(() -> {
                Segment unused;
                try {
                    unused = f.getNow(null);
                } catch (CompletionException e) {
                    return; // never made (takeSpare says why when the writer meets it)
                }
                if (unused != null) {
                    seal(unused);
                }
            });
        }
    }
}
