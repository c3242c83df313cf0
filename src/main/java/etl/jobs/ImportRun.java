package etl.jobs;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

import etl.event.Event;
import etl.event.FileLine;
import etl.http.Json;
import etl.io.Lines;
import etl.io.Rejection;

/**
 * One run of an import job over its uploaded file: the file read as a stream of chunks of {@code chunkLines} lines or
 * about {@code chunkBytes} bytes (the inbox client's reader: bytes, one line decided at a time, memory bounded whatever
 * a line holds); each chunk's valid events, with an Idempotency-Key made of the job's id and the chunk's place ({@link #key}), so that a run
 * repeated after a crash spools the same requests under the same keys and the processor applies each once; the invalid
 * lines written to the job's rejected file as {@code {"line", "reason", "raw"}} (or {@code rawBase64}); the counts.
 * <p>
 * JSON Lines: each line as the inbox reads it ({@link FileLine}). CSV: RFC 4180 records with a header naming
 * {@code userId}, {@code name} and {@code value} ({@link CsvEvents}); a record may span lines (a quoted field with a
 * line break) and belongs to the chunk of its last line.
 */
public final class ImportRun implements Iterator<ImportRun.Chunk>, Closeable {

    /** A chunk's valid events, its key, and how many lines it rejected. */
    public record Chunk(int index, String key, List<Event> events) {
    }

    private final String id;
    private final boolean csv;
    private final int chunkLines;
    private final long chunkBytes;
    private final int maxLineBytes;
    private final long size;
    private final Counting in;
    private final Lines.Chunks lines;
    private final BufferedWriter rejectedOut;
    private final CsvEvents csvEvents;
    private int index;
    private long lineNumber;
    private volatile long records;
    private volatile long accepted;
    private volatile long rejected;
    private volatile long duplicateEvents;

    public ImportRun(String id, Path file, String format, Path rejectedFile, int chunkLines, long chunkBytes,
            int maxLineBytes) throws IOException {
        this.id = id;
        this.csv = "csv".equals(format);
        this.chunkLines = chunkLines;
        this.chunkBytes = chunkBytes;
        this.maxLineBytes = maxLineBytes;
        this.size = Files.size(file);
        this.in = new Counting(Files.newInputStream(file));
        this.lines = Lines.chunks(in, chunkLines, chunkBytes, maxLineBytes);
        // a run repeated after a crash writes the rejected lines anew
        this.rejectedOut = Files.newBufferedWriter(rejectedFile, StandardCharsets.UTF_8);
        this.csvEvents = csv ? new CsvEvents(maxLineBytes) : null;
    }

    /** The Idempotency-Key of chunk {@code index}: the job and the chunk's place (its bounds included). */
    public String key(int index) {
        return "import-" + id + "-" + Lines.bounds(chunkLines, chunkBytes) + "-" + index;
    }

    @Override
    public boolean hasNext() {
        return lines.hasNext();
    }

    @Override
    public Chunk next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        List<byte[]> chunk = lines.next();
        List<Event> events = new ArrayList<>(chunk.size());
        try {
            for (byte[] line : chunk) {
                lineNumber++;
                if (csv) {
                    csvEvents.line(line, lineNumber, events, this::reject);
                } else {
                    FileLine checked = FileLine.check(line, lineNumber == 1, maxLineBytes);
                    if (checked == null) {
                        continue;
                    }
                    records++;
                    if (checked.result().valid()) {
                        events.add(checked.result().event());
                    } else {
                        reject(lineNumber, checked.result().reason(), checked.raw(line, maxLineBytes));
                    }
                }
            }
            if (csv && !lines.hasNext()) {
                csvEvents.end(this::reject);
            }
            if (csv) {
                records = csvEvents.records();
            }
            rejectedOut.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int i = index++;
        return new Chunk(i, key(i), events);
    }

    private void reject(long line, String reason, byte[] raw) throws IOException {
        rejectedOut.write(Rejection.json(line, reason, raw));
        rejectedOut.write('\n');
        rejected++;
    }

    /** A chunk is in the outbox (or was applied before: {@code duplicate}). */
    public void spooled(Chunk c, boolean duplicate) {
        accepted += c.events().size();
        if (duplicate) {
            duplicateEvents += c.events().size();
        }
    }

    /** Bytes of the file read so far, and its size: the job's progress. */
    public long bytesRead() {
        return Math.min(in.count, size);
    }

    public long size() {
        return size;
    }

    /** The counts so far, as the job's result shows them. */
    public String result() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("lines", records);
        m.put("accepted", accepted);
        m.put("rejected", rejected);
        m.put("duplicate", duplicateEvents);
        m.put("bytes", size);
        m.put("bytesRead", bytesRead());
        return Json.write(m);
    }

    public long accepted() {
        return accepted;
    }

    public long rejected() {
        return rejected;
    }

    @Override
    public void close() throws IOException {
        try (rejectedOut) {
            lines.close();
        }
    }

    /** How many bytes were read from the file (ahead of the lines handed out by at most the reader's buffer). */
    private static final class Counting extends FilterInputStream {
        volatile long count;

        Counting(InputStream in) {
            super(in);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }

    /** Where the steps put a rejected line or record. */
    @FunctionalInterface
    interface Rejects {
        void reject(long line, String reason, byte[] raw) throws IOException;
    }
}
