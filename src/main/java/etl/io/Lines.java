package etl.io;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Reads a file as a stream of chunks of {@code perChunk} lines, for Camel's splitter. It does what
 * {@code tokenize("\n", n)} does, without the regular expression per character that made Camel's tokenizer the largest
 * cost of a million-line file (JFR: about a quarter of the CPU of bench/e2e.sh), and on bytes: a line is whatever
 * lies between two {@code \n}, decoded (or not) by its reader, so that one ill-formed byte concerns one line and not the
 * file. Blank lines count. A line longer than {@code maxLineBytes} is not kept whole: its first
 * {@code maxLineBytes + 1} bytes stand for it (so its reader sees it is too long) and the rest is skipped. A chunk ends
 * after {@code perChunk} lines, or after the line that brings its bytes to {@code perChunkBytes}, whichever comes
 * first: so a chunk holds at most {@code perChunkBytes + maxLineBytes + 1} bytes whatever the file holds (a chunk of
 * 5,000 lines of a megabyte each held 5 GB: a 600 MB file of such lines, dropped into the inbox of a process with
 * {@code -Xmx256m}, stalled there without a word). Where chunks end depends only on the bytes and the two bounds.
 * Camel closes it when the split ends.
 */
public final class Lines implements Closeable {

    private final InputStream in;
    private final int maxLineBytes;
    private final byte[] buf = new byte[1 << 16];
    // a line longer than the buffer is put together here, then copied once at its length; kept for the next long line
    // (growing a fresh array per line, 4x at a time, and copying it at the end allocated 5 times each spool line's
    // size: 300 MB of garbage for a million events, a young collection every 15 ms under a small heap)
    private byte[] scratch = new byte[0];
    private int pos;
    private int end;
    private boolean eof;

    private Lines(InputStream in, int maxLineBytes) {
        this.in = in;
        this.maxLineBytes = maxLineBytes;
    }

    /** Chunks of at most {@code perChunk} lines (of any size in all), each line its bytes without the {@code \n}. */
    public static Chunks chunks(InputStream in, int perChunk, int maxLineBytes) {
        return chunks(in, perChunk, Long.MAX_VALUE, maxLineBytes);
    }

    /**
     * Chunks of at most {@code perChunk} lines, each ended early by the line that brings its bytes (each line's length
     * plus its {@code \n}) to {@code perChunkBytes}.
     */
    public static Chunks chunks(InputStream in, int perChunk, long perChunkBytes, int maxLineBytes) {
        return new Chunks(new Lines(in, maxLineBytes), perChunk, perChunkBytes);
    }

    /**
     * The bounds of a chunking as a chunk's key names them: {@code <lines>-<bytes>}, or {@code <lines>} alone for chunks
     * bounded by their line count only (the keys of imports accepted before chunks had a byte bound).
     */
    public static String bounds(int perChunk, long perChunkBytes) {
        return perChunkBytes == Long.MAX_VALUE ? Integer.toString(perChunk) : perChunk + "-" + perChunkBytes;
    }

    /** Each line's bytes, whatever its length, for files the system wrote itself (the outbox's spool lines). */
    public static Iterator<byte[]> each(InputStream in) {
        return new Each(chunks(in, 1, Integer.MAX_VALUE - 16));
    }

    /** The next line without its {@code \n}, or null at the end of the input. */
    byte[] nextLine() throws IOException {
        boolean assembling = false;
        int len = 0;
        boolean any = false;
        while (true) {
            if (pos == end) {
                if (eof || !fill()) {
                    return any ? Arrays.copyOf(scratch, len) : null;
                }
            }
            any = true;
            int start = pos;
            while (pos < end && buf[pos] != '\n') {
                pos++;
            }
            int n = pos - start;
            if (!assembling && pos < end && n <= maxLineBytes) {
                pos++;
                return Arrays.copyOfRange(buf, start, start + n); // the usual case: the whole line in the buffer
            }
            assembling = true;
            int keep = Math.min(n, maxLineBytes + 1 - len);
            if (keep > 0) {
                if (len + keep > scratch.length) {
                    scratch = Arrays.copyOf(scratch, (int) Math.min(Math.max(len + keep, scratch.length * 2L),
                            maxLineBytes + 1L));
                }
                System.arraycopy(buf, start, scratch, len, keep);
                len += keep;
            }
            if (pos < end) {
                pos++;
                return Arrays.copyOf(scratch, len);
            }
        }
    }

    private boolean fill() throws IOException {
        int n = in.read(buf, 0, buf.length);
        if (n <= 0) {
            eof = true;
            end = pos = 0;
            return false;
        }
        pos = 0;
        end = n;
        return true;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    /** The chunks of a file, lines as bytes. */
    public static final class Chunks implements Iterator<List<byte[]>>, Closeable {
        private final Lines lines;
        private final int perChunk;
        private final long perChunkBytes;
        private List<byte[]> next;

        Chunks(Lines lines, int perChunk, long perChunkBytes) {
            this.lines = lines;
            this.perChunk = perChunk;
            this.perChunkBytes = perChunkBytes;
        }

        @Override
        public boolean hasNext() {
            if (next == null) {
                try {
                    List<byte[]> chunk = new ArrayList<>(Math.min(perChunk, 1024));
                    long bytes = 0;
                    byte[] line;
                    while (chunk.size() < perChunk && bytes < perChunkBytes && (line = lines.nextLine()) != null) {
                        chunk.add(line);
                        bytes += line.length + 1;
                    }
                    next = chunk.isEmpty() ? null : chunk;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return next != null;
        }

        @Override
        public List<byte[]> next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            List<byte[]> chunk = next;
            next = null;
            return chunk;
        }

        @Override
        public void close() throws IOException {
            lines.close();
        }
    }

    private static final class Each implements Iterator<byte[]>, Closeable {
        private final Chunks chunks;

        Each(Chunks chunks) {
            this.chunks = chunks;
        }

        @Override
        public boolean hasNext() {
            return chunks.hasNext();
        }

        @Override
        public byte[] next() {
            return chunks.next().get(0);
        }

        @Override
        public void close() throws IOException {
            chunks.close();
        }
    }
}
