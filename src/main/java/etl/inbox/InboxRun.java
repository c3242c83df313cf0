package etl.inbox;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import etl.event.FileLine;
import etl.io.Folders;
import etl.io.Lines;
import etl.io.Rejection;
import etl.spool.SpoolRecord;

/**
 * One inbox file on its way to the server: its content key (SHA-256 of the bytes, so the same content under any
 * name gets the same Idempotency-Keys), the validation of each chunk of lines, the quarantine of invalid lines in
 * {@code .rejected/<file>.rejected.jsonl}, and the counts and progress that the log shows.
 */
public final class InboxRun {

    private static final Logger LOG = LoggerFactory.getLogger(InboxRun.class);
    /** Longest line sent as it is (5,000 of them stay under 10 MB, below the 16 MiB body limit). */
    private static final int MAX_RAW_LINE = 512;

    private final String fileName;
    /** The SHA-256 of the file's bytes, in hex: worked out beside the first chunks' reading and checking. */
    private final CompletableFuture<String> contentKey;
    private final long size;
    private final Path rejectedFile;
    private final int chunkLines;
    private final long chunkBytes;
    private final int maxLineBytes;
    private final long progressMillis;
    private final long started = System.nanoTime();
    private long lastProgress = System.nanoTime();
    // written by the sending threads (validated), read by the status page (snapshot): both synchronized
    private long bytesSeen;
    private long lines;
    private long accepted;
    private long rejected;
    private long duplicateChunks;
    private long duplicateEvents;
    private long sentChunks;
    // the quarantine is written in line order although chunks are validated in parallel: a chunk's invalid lines wait
    // here until every chunk before it has been validated (a chunk without any is a null)
    private final TreeMap<Integer, CharSequence> unwrittenRejections = new TreeMap<>();
    private int nextRejectionsToWrite;

    /** Chunks bounded by their line count only (tests). */
    public InboxRun(Path file, Path rejectedDir, int chunkLines, int maxLineBytes, long progressMillis)
            throws IOException {
        this(file, rejectedDir, chunkLines, Long.MAX_VALUE, maxLineBytes, progressMillis, Runnable::run);
    }

    /**
     * @param hashing where the file's SHA-256 is worked out: a thread beside the one that reads and checks the first
     *                chunks (each chunk's key needs it only when the chunk is sent). On a cold process the hash of a
     *                1M-line file (55 MB) took 0.1-0.15 s before anything else of the file began (JFR, bench/e2e.sh).
     */
    public InboxRun(Path file, Path rejectedDir, int chunkLines, long chunkBytes, int maxLineBytes, long progressMillis,
            Executor hashing) throws IOException {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            // a link could point anywhere (the password file): it is moved aside, never opened
            throw new IOException(file.getFileName() + " is not a regular file (a link or a folder): not read");
        }
        this.fileName = file.getFileName().toString();
        this.contentKey = CompletableFuture.supplyAsync(() -> sha256(file), hashing);
        this.size = Files.size(file);
        this.chunkLines = chunkLines;
        this.chunkBytes = chunkBytes;
        this.maxLineBytes = maxLineBytes;
        this.progressMillis = progressMillis;
        this.rejectedFile = rejectedDir.resolve(fileName + ".rejected.jsonl");
        Path done = file.resolveSibling(".done").resolve(fileName);
        if (Files.exists(done, LinkOption.NOFOLLOW_LINKS)) {
            // the same name was dropped before and finished: its copy in .done/ and its rejected lines are kept
            // under a free suffix, and this file gets the plain names
            Path keptDone = Folders.freeName(done.getParent(), fileName);
            String suffix = keptDone.getFileName().toString().substring(fileName.length());
            Files.move(done, keptDone);
            if (Files.exists(rejectedFile)) {
                Files.move(rejectedFile, rejectedDir.resolve(fileName + suffix + ".rejected.jsonl"));
            }
            LOG.info("Inbox {}: a file of that name was read before; its copy is kept as .done/{}", fileName,
                    keptDone.getFileName());
        } else {
            // a file read again after a crash is read from its start: its rejected lines are written anew
            Files.deleteIfExists(rejectedFile);
        }
    }

    /** A chunk ready to send: its place, its Idempotency-Key, the valid events as JSON Lines (UTF-8), and how many. */
    public record Chunk(int index, String key, byte[] body, int events, int rejected) {
    }

    /** A chunk as read, before it is validated: its place (0-based), the number of its first line, and its lines. */
    public record Read(int index, long firstLine, List<byte[]> lines) {
    }

    /**
     * The file's chunks, read in order as the splitter asks for them; each is validated by {@link #validate(Read)} on
     * the thread that sends it, so that the chunks of a file are checked in parallel (the splitter's one thread read
     * and checked a million lines in 0.76 s cold, 0.21 s warm, while the other core waited). Camel closes it, and the
     * file, when the split ends.
     */
    public Iterator<Read> chunks(InputStream in) {
        return new ChunkIterator(Lines.chunks(in, chunkLines, chunkBytes, maxLineBytes));
    }

    private static final class ChunkIterator implements Iterator<Read>, Closeable {
        private final Lines.Chunks lines;
        private int index;
        private long nextLine = 1;

        ChunkIterator(Lines.Chunks lines) {
            this.lines = lines;
        }

        @Override
        public boolean hasNext() {
            return lines.hasNext();
        }

        @Override
        public Read next() {
            List<byte[]> chunk = lines.next();
            Read read = new Read(index++, nextLine, chunk);
            nextLine += chunk.size();
            return read;
        }

        @Override
        public void close() throws IOException {
            lines.close();
        }
    }

    /** {@link #validate(List, int, long)} of a chunk as read. */
    public Chunk validate(Read read) throws IOException {
        return validate(read.lines(), read.index(), read.firstLine());
    }

    /**
     * Validates the lines of chunk number {@code index} (0-based), whose first line is line {@code firstLine} of the
     * file, each on its own ({@link FileLine}). Quarantines the invalid ones with their 1-based line numbers; blank
     * lines are skipped.
     */
    public Chunk validate(List<byte[]> chunk, int index, long firstLine) throws IOException {
        // sized by the lines as read: when every line is valid and sent as it is, the body is that array (a chunk of
        // 20,000 lines is over a megabyte; sized by a guess it was grown and copied, twice, in fresh memory)
        long size = 0;
        for (byte[] line : chunk) {
            size += line.length + 1;
        }
        Body valid = new Body((int) Math.min(size, Integer.MAX_VALUE - 16));
        StringBuilder bad = null;
        int events = 0;
        int rejectedHere = 0;
        long bytesHere = 0;
        long linesHere = 0;
        for (int i = 0; i < chunk.size(); i++) {
            byte[] line = chunk.get(i);
            bytesHere += line.length + 1;
            FileLine checked = FileLine.check(line, index == 0 && i == 0, maxLineBytes);
            if (checked == null) {
                continue;
            }
            linesHere++;
            if (checked.valid()) {
                // a short line goes as it is (its bytes are valid UTF-8: checked); a long one (large ignored fields)
                // is sent in its normal form, so that a chunk stays far below the server's body limit
                if (checked.to() - checked.from() <= MAX_RAW_LINE) {
                    valid.write(line, checked.from(), checked.to() - checked.from());
                } else {
                    valid.writeBytes(SpoolRecord.eventJson(checked.result().event()).getBytes(StandardCharsets.UTF_8));
                }
                valid.write('\n');
                events++;
            } else {
                if (bad == null) {
                    bad = new StringBuilder();
                }
                bad.append(Rejection.json(firstLine + i, checked.result().reason(), checked.raw(line, maxLineBytes)))
                        .append('\n');
                rejectedHere++;
            }
        }
        validated(index, bytesHere, linesHere, rejectedHere, bad);
        return new Chunk(index, key(index), valid.bytes(), events, rejectedHere);
    }

    /** A request body being written: its own array when the bytes fill it exactly, else a copy of them. */
    private static final class Body extends ByteArrayOutputStream {
        Body(int size) {
            super(size);
        }

        byte[] bytes() {
            return count == buf.length ? buf : toByteArray();
        }
    }

    /** Counts a validated chunk, and writes the quarantine of every chunk whose predecessors are all validated. */
    private synchronized void validated(int index, long bytes, long lineCount, int rejectedCount, CharSequence bad)
            throws IOException {
        bytesSeen += bytes;
        lines += lineCount;
        rejected += rejectedCount;
        unwrittenRejections.put(index, bad);
        while (unwrittenRejections.containsKey(nextRejectionsToWrite)) {
            CharSequence next = unwrittenRejections.remove(nextRejectionsToWrite++);
            if (next != null) {
                Files.createDirectories(rejectedFile.getParent());
                boolean created = !Files.exists(rejectedFile);
                Files.writeString(rejectedFile, next, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
                if (created) {
                    Folders.setPrivate(rejectedFile);
                }
            }
        }
    }

    /**
     * The Idempotency-Key of chunk {@code index}: from the file's content and the chunk's place. Waits for the file's
     * hash; a file that could not be read whole has no key, and none of its chunks is sent.
     */
    public String key(int index) throws IOException {
        String content;
        try {
            content = contentKey.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof UncheckedIOException u ? u.getCause()
                    : new IOException("could not hash " + fileName + ": " + e.getCause(), e.getCause());
        }
        // the chunking is part of the key: chunk i of another chunking holds other lines
        return "inbox-" + content + "-" + Lines.bounds(chunkLines, chunkBytes) + "-" + index;
    }

    /** The server acknowledged a chunk. */
    public synchronized void sent(int events, boolean duplicate) {
        sentChunks++;
        if (duplicate) {
            duplicateChunks++;
            duplicateEvents += events;
        } else {
            accepted += events;
        }
        long now = System.nanoTime();
        if (now - lastProgress >= progressMillis * 1_000_000L) {
            lastProgress = now;
            LOG.info(progress());
        }
    }

    /** Where a file is: for the status page. */
    public record Progress(String file, long bytes, long bytesRead, long lines, long accepted, long rejected,
            double seconds) {
        /** Between 0 and 1. */
        public double fraction() {
            return bytes == 0 ? 1 : Math.min(1, (double) bytesRead / bytes);
        }

        public double eventsPerSecond() {
            return accepted / Math.max(seconds, 1e-3);
        }
    }

    public synchronized Progress snapshot() {
        return new Progress(fileName, size, bytesSeen, lines, accepted, rejected, (System.nanoTime() - started) / 1e9);
    }

    /** The progress line of a large file: lines read, percent of the file, accepted, rejected, events a second. */
    public synchronized String progress() {
        double seconds = (System.nanoTime() - started) / 1e9;
        return String.format("Inbox %s: %d lines read (%d%%), %d accepted, %d rejected, %d events/s", fileName, lines,
                size == 0 ? 100 : Math.min(100, bytesSeen * 100 / size), accepted, rejected,
                Math.round(accepted / Math.max(seconds, 1e-3)));
    }

    public synchronized String summary() {
        double seconds = (System.nanoTime() - started) / 1e9;
        String s = String.format("%d lines, %d events accepted, %d lines rejected%s, %d chunks, %.2f s", lines,
                accepted, rejected, rejected > 0 ? " (see .rejected/" + rejectedFile.getFileName() + ")" : "",
                sentChunks, seconds);
        if (sentChunks > 0 && duplicateChunks == sentChunks) {
            s += "; the same content was applied before (" + duplicateEvents + " events), nothing applied again";
        } else if (duplicateChunks > 0) {
            s += "; " + duplicateChunks + " chunks (" + duplicateEvents + " events) had been applied before and were"
                    + " not applied again";
        }
        return s;
    }

    private static String sha256(Path file) {
        try {
            return sha256Of(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha256Of(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
