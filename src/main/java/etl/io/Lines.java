package etl.io;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Reads a file as a stream of chunks of {@code perChunk} lines (joined by newlines), for Camel's splitter. It does
 * what {@code tokenize("\n", n)} does, without the regular expression per character that made Camel's tokenizer the
 * largest cost of a million-line file (JFR: about a quarter of the CPU of bench/e2e.sh). Lines end at {@code \n}
 * only (a {@code \r} stays in the line, as with the tokenizer), and blank lines count, so that chunk {@code i} always
 * starts at line {@code i * perChunk + 1}. Camel closes it when the split ends.
 */
public final class Lines implements Iterator<String>, Closeable {

    private final InputStreamReader reader;
    private final int perChunk;
    private final char[] buf = new char[8192];
    private int pos;
    private int end;
    private boolean eof;
    private String next;

    private Lines(InputStream in, int perChunk) {
        this.reader = new InputStreamReader(in, StandardCharsets.UTF_8);
        this.perChunk = perChunk;
    }

    public static Lines of(InputStream in, int perChunk) {
        return new Lines(in, perChunk);
    }

    @Override
    public boolean hasNext() {
        if (next == null) {
            next = read();
        }
        return next != null;
    }

    @Override
    public String next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        String chunk = next;
        next = null;
        return chunk;
    }

    private String read() {
        try {
            StringBuilder sb = new StringBuilder(128);
            int lines = 0;
            while (lines < perChunk) {
                if (lines > 0) {
                    sb.append('\n');
                }
                if (!readLine(sb)) {
                    if (lines == 0) {
                        return null;
                    }
                    sb.setLength(sb.length() - 1);
                    break;
                }
                lines++;
            }
            return sb.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Appends one line without its newline; false at the end of the input when no character was left. */
    private boolean readLine(StringBuilder sb) throws IOException {
        boolean any = false;
        while (true) {
            if (pos == end) {
                if (eof) {
                    return any;
                }
                end = reader.read(buf, 0, buf.length);
                pos = 0;
                if (end <= 0) {
                    end = 0;
                    eof = true;
                    return any;
                }
            }
            any = true;
            int start = pos;
            while (pos < end && buf[pos] != '\n') {
                pos++;
            }
            sb.append(buf, start, pos - start);
            if (pos < end) {
                pos++;
                return true;
            }
        }
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
