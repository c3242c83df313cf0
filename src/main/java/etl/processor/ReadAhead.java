package etl.processor;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

import etl.event.EventValidator;
import etl.spool.SpoolRecord;

/**
 * An outbox file's lines, read at once and parsed a few lines ahead on a thread of their own: while the batch's thread
 * adds one request to the sums (and claims its key in the transaction, which only that thread holds), the next requests
 * are checked (CRC-32) and taken apart on the other core, in place in the file's bytes
 * ({@link SpoolRecord#readInPlace}). Each element is a {@link Line}: its
 * bytes and their {@link SpoolRecord}, or the reason it cannot be read; what to do with it is still decided by the
 * route's steps on the batch's thread, in order. Parsing is a function of the bytes alone, so doing it early changes
 * nothing but when.
 * <p>
 * At most {@value #AHEAD} lines wait. Closing (Camel's splitter closes the iterator when the file's split ends, also
 * after a failure) stops the reader.
 * <p>
 * A file is read into its reader thread's buffer, kept for that thread's next file (up to {@value #KEEP_BYTES} bytes;
 * a larger file gets an array of its own): no {@link Line} holds on to it, the requests' events copy their user ids
 * and any other line is copied out. A new array per file (8 MB for a full segment) was fresh memory for every file,
 * and fresh memory costs a page fault per 4 KB (about 11 µs each on these machines).
 */
public final class ReadAhead implements Iterator<ReadAhead.Line>, Closeable {

    /**
     * One line of the file: a request, a blank line ({@code record} and {@code error} null), or an unreadable one;
     * {@code bytes} are the line's, or null for a request read in place.
     */
    public record Line(byte[] bytes, SpoolRecord record, String error) {
    }

    private static final int AHEAD = 8;
    private static final Line END = new Line(new byte[0], null, null);

    /** A reader thread's buffer is kept for its next file up to this size. */
    static final int KEEP_BYTES = 16 << 20;
    private static final ThreadLocal<byte[]> BUFFER = ThreadLocal.withInitial(() -> new byte[1 << 20]);

    /** A file's bytes: {@code array[0, length)}. */
    private record Bytes(byte[] array, int length) {
    }

    /** Where the file's bytes come from. */
    private interface Source {
        Bytes readAll() throws IOException;
    }

    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(AHEAD);
    private final Source source;
    private final Closeable file;
    private volatile boolean closed;
    private Object next;

    /** The outbox file {@code file}, read on {@code reader} (one read of its size: a stream reads in pieces of 8 KB). */
    public ReadAhead(Path file, ExecutorService reader) {
        this(() -> readFile(file), () -> { }, reader);
    }

    public ReadAhead(InputStream in, ExecutorService reader) {
        this(() -> {
            byte[] all = in.readAllBytes();
            return new Bytes(all, all.length);
        }, in, reader);
    }

    private ReadAhead(Source source, Closeable file, ExecutorService reader) {
        this.source = source;
        this.file = file;
        reader.execute(this::read);
    }

    private void read() {
        try {
            // the whole file at once (the server writes files of a few MB: a group commit closes at 8 MB), each request
            // read in place; a file's requests were all held until the file ended anyway (UserSums), as lines
            Bytes bytes = source.readAll();
            byte[] all = bytes.array();
            int length = bytes.length();
            int at = 0;
            SpoolRecord.InPlace previous = null;
            while (at < length && !closed) {
                SpoolRecord.InPlace fast = SpoolRecord.readInPlace(all, at, length, previous);
                if (fast != null) {
                    put(new Line(null, fast.record(), null));
                    at = fast.next();
                    previous = fast;
                    continue;
                }
                int newline = at;
                while (newline < length && all[newline] != '\n') {
                    newline++;
                }
                put(line(Arrays.copyOfRange(all, at, newline)));
                at = newline + 1;
            }
            put(END);
        } catch (Throwable t) {
            put(t instanceof IOException io ? io : new IOException(t.toString(), t));
        }
    }

    /**
     * The file's bytes, in this thread's buffer when they fit in {@link #KEEP_BYTES} (grown to the file's size), read
     * to its end (an outbox file is complete once it has its name: nothing is appended to it).
     */
    private static Bytes readFile(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size > Integer.MAX_VALUE - 16) {
                throw new IOException(file + " is larger than 2 GB");
            }
            byte[] buffer = BUFFER.get();
            if (buffer.length < size) {
                buffer = new byte[(int) size];
                if (size <= KEEP_BYTES) {
                    BUFFER.set(buffer);
                }
            }
            ByteBuffer into = ByteBuffer.wrap(buffer, 0, (int) size);
            while (into.hasRemaining() && channel.read(into) >= 0) {
                // a read returns what the file system gives at once
            }
            return new Bytes(buffer, into.position());
        }
    }

    /** A line in any other form, or blank, or unreadable (by the validator's rules, or its checksum). */
    private static Line line(byte[] line) {
        if (EventValidator.blank(line, 0, line.length)) {
            return new Line(line, null, null);
        }
        try {
            return new Line(line, SpoolRecord.read(line), null);
        } catch (Exception x) {
            return new Line(line, null, String.valueOf(x.getMessage()));
        }
    }

    private void put(Object o) {
        try {
            while (!closed && !queue.offer(o, 100, TimeUnit.MILLISECONDS)) {
                // the batch's thread is busy with the lines before: wait, unless the file was closed meanwhile
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean hasNext() {
        if (next == null) {
            try {
                next = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while reading an outbox file", e);
            }
        }
        if (next instanceof IOException io) {
            throw new java.io.UncheckedIOException(io); // the file could not be read: the batch fails, rolled back
        }
        return next != END;
    }

    @Override
    public Line next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Line l = (Line) next;
        next = null;
        return l;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        queue.clear();
        file.close();
    }
}
