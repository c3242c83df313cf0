package etl.processor;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

import etl.event.EventValidator;
import etl.io.Lines;
import etl.spool.SpoolRecord;

/**
 * An outbox file's lines, read and parsed a few lines ahead on a thread of their own: while the batch's thread adds
 * one request to the sums (and claims its key in the transaction, which only that thread holds), the next requests
 * are read from the file, checked (CRC-32) and taken apart on the other core. Each element is a {@link Line}: its
 * bytes and their {@link SpoolRecord}, or the reason it cannot be read; what to do with it is still decided by the
 * route's steps on the batch's thread, in order. Parsing is a function of the bytes alone, so doing it early changes
 * nothing but when.
 * <p>
 * At most {@value #AHEAD} lines wait (a line is a request: bounded by the request size limit). Closing (Camel's
 * splitter closes the iterator when the file's split ends, also after a failure) stops the reader and closes the file.
 */
public final class ReadAhead implements Iterator<ReadAhead.Line>, Closeable {

    /** One line of the file: a request, a blank line ({@code record} and {@code error} null), or an unreadable one. */
    public record Line(byte[] bytes, SpoolRecord record, String error) {
    }

    private static final int AHEAD = 8;
    private static final Line END = new Line(new byte[0], null, null);

    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(AHEAD);
    private final InputStream in;
    private volatile boolean closed;
    private Object next;

    public ReadAhead(InputStream in, ExecutorService reader) {
        this.in = in;
        reader.execute(this::read);
    }

    private void read() {
        try {
            Iterator<byte[]> lines = Lines.each(in);
            while (lines.hasNext() && !closed) {
                byte[] line = lines.next();
                Line parsed;
                if (EventValidator.blank(line, 0, line.length)) {
                    parsed = new Line(line, null, null);
                } else {
                    try {
                        parsed = new Line(line, SpoolRecord.read(line), null);
                    } catch (Exception x) {
                        parsed = new Line(line, null, String.valueOf(x.getMessage()));
                    }
                }
                put(parsed);
            }
            put(END);
        } catch (Throwable t) {
            put(t instanceof IOException io ? io : new IOException(t.toString(), t));
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
        in.close();
    }
}
