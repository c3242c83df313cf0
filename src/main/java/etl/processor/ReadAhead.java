package etl.processor;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /** Where the file's bytes come from. */
    private interface Source {
        byte[] readAll() throws IOException;
    }

    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(AHEAD);
    private final Source source;
    private final Closeable file;
    private volatile boolean closed;
    private Object next;

    /** The outbox file {@code file}, read on {@code reader} (one read of its size: a stream reads in pieces of 8 KB). */
    public ReadAhead(Path file, ExecutorService reader) {
        this(() -> Files.readAllBytes(file), () -> { }, reader);
    }

    public ReadAhead(InputStream in, ExecutorService reader) {
        this(in::readAllBytes, in, reader);
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
            byte[] all = source.readAll();
            int at = 0;
            while (at < all.length && !closed) {
                SpoolRecord.InPlace fast = SpoolRecord.readInPlace(all, at, all.length);
                if (fast != null) {
                    put(new Line(null, fast.record(), null));
                    at = fast.next();
                    continue;
                }
                int newline = at;
                while (newline < all.length && all[newline] != '\n') {
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
