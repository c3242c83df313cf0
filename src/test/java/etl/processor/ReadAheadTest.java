package etl.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import etl.event.Event;
import etl.spool.SpoolRecord;

/**
 * An outbox file read ahead: every line comes back in its order, a request with its record, a blank line as blank, a
 * torn or garbage line (invalid UTF-8, NUL, a BOM) with its reason and its bytes; closing it early ends the reader.
 */
class ReadAheadTest {

    @TempDir
    Path dir;

    @Test
    void everyLineInOrderWithWhatItIs() throws Exception {
        byte[] bytes = fileOfEveryKind();
        ExecutorService reader = Executors.newCachedThreadPool();
        Path file = Files.write(dir.resolve("outbox.jsonl"), bytes);
        for (ReadAhead lines : List.of(new ReadAhead(new ByteArrayInputStream(bytes), reader),
                new ReadAhead(file, reader))) {
            try (lines) {
                int requests = 0;
                int n = 0;
                while (lines.hasNext()) {
                    ReadAhead.Line l = lines.next();
                    n++;
                    if (n == 12) {
                        assertNull(l.record());
                        assertNull(l.error(), "a blank line");
                    } else if (n == 13 || n == 53) {
                        assertNull(l.record());
                        assertNotNull(l.error(), "garbage or torn: " + n);
                        assertNotNull(l.bytes(), "kept in .rejected/ as it was");
                    } else {
                        assertEquals("k" + requests, l.record().key(), "line " + n);
                        requests++;
                    }
                }
                assertEquals(53, n);
                assertEquals(50, requests);
            }
        }
        reader.shutdown();
        assertTrue(reader.awaitTermination(5, TimeUnit.SECONDS));
    }

    /**
     * 50 requests (in both forms), a blank line and garbage (a BOM, NUL, a lone UTF-8 lead byte) after the 11th, a torn
     * last line.
     */
    private static byte[] fileOfEveryKind() throws IOException {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        for (int i = 0; i < 50; i++) {
            List<Event> events = List.of(new Event("u" + i, Event.ADD, new BigDecimal("1.50")));
            // both forms in one file: the compact one and, every third request, the JSON one
            file.write(i % 3 == 0 ? SpoolRecord.jsonLine("k" + i, events) : SpoolRecord.line("k" + i, events));
            if (i == 10) {
                file.write("\n".getBytes());
                file.write(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '{', 0, (byte) 0xC3, '\n'});
            }
        }
        byte[] torn = SpoolRecord.line("last", List.of(new Event("z", Event.ADD, BigDecimal.ONE)));
        file.write(torn, 0, torn.length - 9); // cut by a crash, no newline
        return file.toByteArray();
    }

    /**
     * Files are read into the reader thread's buffer, one after the other: the requests of a file, still waiting to be
     * summed, keep their events when the next file (other users, other values, a garbage line) is read over them.
     */
    @Test
    void aFilesRequestsKeepTheirEventsWhenTheNextFileIsReadIntoTheBuffer() throws Exception {
        ExecutorService reader = Executors.newSingleThreadExecutor();
        List<SpoolRecord> first = new java.util.ArrayList<>();
        List<SpoolRecord> second = new java.util.ArrayList<>();
        Path a = Files.write(dir.resolve("a.jsonl"), requests("a", "1.25", 40));
        ByteArrayOutputStream other = new ByteArrayOutputStream();
        other.write(requests("bb", "7.00", 60));
        other.write(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, 0, (byte) 0xC3, '\n'});
        Path b = Files.write(dir.resolve("b.jsonl"), other.toByteArray());
        for (Path file : List.of(a, b)) {
            try (ReadAhead lines = new ReadAhead(file, reader)) {
                while (lines.hasNext()) {
                    ReadAhead.Line l = lines.next();
                    if (l.record() != null) {
                        (file == a ? first : second).add(l.record());
                    }
                }
            }
        }
        assertEquals(40, first.size());
        assertEquals(60, second.size());
        UserSums sums = new UserSums();
        for (int i = 0; i < first.size(); i++) {
            SpoolRecord r = first.get(i);
            assertEquals("k" + i, r.key());
            assertEquals(List.of(new Event("a" + i, Event.ADD, new BigDecimal("1.25")),
                    new Event("a" + (i + 1), Event.SUBTRACT, new BigDecimal("1.25"))), r.events());
            sums.add(r);
        }
        // every a-user got 1.25 once and lost it once, but a0 (only added) and a40 (only subtracted)
        java.util.Map<String, String> totals = sums.totals();
        assertEquals("1.25", totals.get("a0"));
        assertEquals("-1.25", totals.get("a40"));
        assertEquals("0.00", totals.get("a17"));
        assertEquals(41, totals.size());
        reader.shutdown();
        assertTrue(reader.awaitTermination(5, TimeUnit.SECONDS));
    }

    /** {@code n} requests with keys k0…, request i adding {@code value} to {@code prefix}i and taking it from i + 1. */
    private static byte[] requests(String prefix, String value, int n) throws IOException {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        for (int i = 0; i < n; i++) {
            file.write(SpoolRecord.line("k" + i, List.of(new Event(prefix + i, Event.ADD, new BigDecimal(value)),
                    new Event(prefix + (i + 1), Event.SUBTRACT, new BigDecimal(value)))));
        }
        return file.toByteArray();
    }

    @Test
    void closedEarlyTheReaderStops() throws Exception {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        for (int i = 0; i < 10_000; i++) {
            file.write(SpoolRecord.line(null, List.of(new Event("u", Event.ADD, BigDecimal.ONE))));
        }
        ExecutorService reader = Executors.newSingleThreadExecutor();
        ReadAhead lines = new ReadAhead(new ByteArrayInputStream(file.toByteArray()), reader);
        assertTrue(lines.hasNext());
        lines.next();
        lines.close(); // as Camel's splitter does when a file's split ends early (a failure)
        reader.shutdown();
        assertTrue(reader.awaitTermination(5, TimeUnit.SECONDS), "the reader thread ended");
    }
}
