package etl.inbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InboxRunTest {

    /** The lines of a chunk as the inbox reader gives them: bytes, without their newlines. */
    static List<byte[]> lines(String text) {
        return java.util.Arrays.stream(text.split("\n", -1)).map(l -> l.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .toList();
    }

    private static final String E = "{\"userId\":\"u\",\"name\":\"add_revenue\",\"value\":1}";

    @Test
    void keysComeFromTheContentNotTheName(@TempDir Path dir) throws Exception {
        Path a = Files.writeString(dir.resolve("a.jsonl"), E + "\n");
        Path b = Files.writeString(dir.resolve("b.jsonl"), E + "\n");
        Path c = Files.writeString(dir.resolve("c.jsonl"), E + "\n\n");
        InboxRun ra = new InboxRun(a, dir.resolve(".rejected"), 1000, 1 << 20, 5000);
        assertEquals(ra.key(0), new InboxRun(b, dir.resolve(".rejected"), 1000, 1 << 20, 5000).key(0));
        assertNotEquals(ra.key(0), new InboxRun(c, dir.resolve(".rejected"), 1000, 1 << 20, 5000).key(0));
        assertNotEquals(ra.key(0), ra.key(1));
        assertTrue(ra.key(123456).length() <= 200);
    }

    /**
     * The hash is worked out on another thread while chunks are checked: the same keys; and a file that cannot be read
     * whole (gone before its hash was done) gives no key, so none of its chunks is sent.
     */
    @Test
    void theHashWorkedOutBesideTheChunksGivesTheSameKeysOrNone(@TempDir Path dir) throws Exception {
        Path a = Files.writeString(dir.resolve("a.jsonl"), E + "\n" + E + "\n");
        java.util.List<Runnable> later = new java.util.ArrayList<>();
        InboxRun beside = new InboxRun(a, dir.resolve(".rejected"), 1, Long.MAX_VALUE, 1 << 20, 5000, later::add);
        InboxRun.Chunk checked = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return beside.validate(lines(E), 0, 1);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).completeOnTimeout(null, 300, java.util.concurrent.TimeUnit.MILLISECONDS).join();
        assertEquals(null, checked, "the chunk waits for the hash");
        later.forEach(Runnable::run);
        assertEquals(new InboxRun(a, dir.resolve(".rejected"), 1, 1 << 20, 5000).key(1), beside.key(1));

        java.util.List<Runnable> gone = new java.util.ArrayList<>();
        InboxRun lost = new InboxRun(a, dir.resolve(".rejected"), 1, Long.MAX_VALUE, 1 << 20, 5000, gone::add);
        Files.delete(a);
        gone.forEach(Runnable::run);
        assertThrows(java.nio.file.NoSuchFileException.class, () -> lost.validate(lines(E), 0, 1));
    }

    @Test
    void shortLinesGoAsTheyAreLongOnesNormalised(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("f.jsonl"), "x");
        InboxRun run = new InboxRun(f, dir.resolve(".rejected"), 10, 1 << 20, 5000);
        String shortLine = "{\"userId\":\"u\", \"name\":\"add_revenue\",\"value\":1.5,\"note\":\"n\"}";
        String longLine = "{\"userId\":\"u\",\"name\":\"add_revenue\",\"value\":2,\"note\":\"" + "n".repeat(600) + "\"}";
        InboxRun.Chunk c = run.validate(lines(shortLine + "\r\n" + longLine), 0, 1);
        assertEquals(shortLine + "\n{\"userId\":\"u\",\"name\":\"add_revenue\",\"value\":2.00}\n", new String(c.body(), java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void progressSaysLinesPercentAndRate(@TempDir Path dir) throws Exception {
        String half = E + "\n" + E + "\n";
        Path f = Files.writeString(dir.resolve("p.jsonl"), half + half);
        InboxRun run = new InboxRun(f, dir.resolve(".rejected"), 2, 1 << 20, 0);
        run.sent(run.validate(lines(E + "\n" + E), 0, 1).events(), false);
        assertTrue(run.progress().matches("Inbox p\\.jsonl: 2 lines read \\(50%\\), 2 accepted, 0 rejected, \\d+ events/s"),
                run.progress());
        run.sent(run.validate(lines(E + "\n" + E), 1, 3).events(), true);
        assertTrue(run.progress().contains("4 lines read (100%), 2 accepted"), run.progress());
        assertTrue(run.summary().contains("2 chunks (2 events) had been applied before") == false
                && run.summary().contains("1 chunks (2 events) had been applied before"), run.summary());
    }

    @Test
    void chunksOfAFileInOrder(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("f.jsonl"), E + "\n" + E + "\nbad\n" + E + "\n");
        InboxRun run = new InboxRun(f, dir.resolve(".rejected"), 2, 1 << 20, 5000);
        List<InboxRun.Chunk> chunks = new java.util.ArrayList<>();
        for (var it = run.chunks(Files.newInputStream(f)); it.hasNext(); ) {
            chunks.add(run.validate(it.next()));
        }
        assertEquals(2, chunks.size());
        assertEquals(2, chunks.get(0).events());
        assertEquals(1, chunks.get(1).events());
        assertEquals(1, chunks.get(1).index());
        assertTrue(Files.readString(dir.resolve(".rejected/f.jsonl.rejected.jsonl")).startsWith("{\"line\":3,"));
    }

    @Test
    void chunkLineNumbersAndQuarantine(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("f.jsonl"), "x");
        InboxRun run = new InboxRun(f, dir.resolve(".rejected"), 3, 1 << 20, 5000);
        InboxRun.Chunk first = run.validate(lines(E + "\r\n\nbad"), 0, 1);
        InboxRun.Chunk second = run.validate(lines(E + "\n{\"userId\":\"u\"}\n" + E), 1, 4);
        assertEquals(1, first.events());
        assertEquals(2, second.events());
        assertEquals(2, new String(second.body(), java.nio.charset.StandardCharsets.UTF_8).split("\n").length);
        assertEquals(run.key(1), second.key());
        List<String> rejected = Files.readAllLines(dir.resolve(".rejected/f.jsonl.rejected.jsonl"));
        assertEquals(2, rejected.size());
        assertTrue(rejected.get(0).startsWith("{\"line\":3,"), rejected.get(0));
        assertTrue(rejected.get(1).startsWith("{\"line\":5,\"reason\":\"name is missing\""), rejected.get(1));
    }

    @Test
    void bytesThatAreNotUtf8AreQuarantinedInBase64AndTheOtherLinesGo(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("g.jsonl"), "x");
        InboxRun run = new InboxRun(f, dir.resolve(".rejected"), 10, 1 << 20, 5000);
        byte[] bad = "{\"userId\":\"m\u00fe\",\"name\":\"add_revenue\",\"value\":1}"
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        byte[] bom = ("\uFEFF" + E).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        InboxRun.Chunk c = run.validate(List.of(bom, bad, new byte[] {0, 0}, E.getBytes()), 0, 1);
        assertEquals(2, c.events(), "the BOM of the first line is dropped, the line is applied");
        assertEquals(E + "\n" + E + "\n", new String(c.body(), java.nio.charset.StandardCharsets.UTF_8));
        List<String> rejected = Files.readAllLines(dir.resolve(".rejected/g.jsonl.rejected.jsonl"));
        assertEquals(2, rejected.size());
        com.fasterxml.jackson.databind.JsonNode first = etl.event.EventValidator.MAPPER.readTree(rejected.get(0));
        assertEquals(2, first.get("line").asInt());
        assertTrue(first.get("reason").asText().contains("UTF-8"), rejected.get(0));
        assertEquals(java.util.Base64.getEncoder().encodeToString(bad), first.get("rawBase64").asText());
        assertTrue(first.get("raw") == null);
        assertTrue(rejected.get(1).contains("\"raw\":\"\\u0000\\u0000\""), rejected.get(1));
    }

    @Test
    void aLineOverTheLimitIsQuarantinedWithItsStart(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("h.jsonl"), "x");
        InboxRun run = new InboxRun(f, dir.resolve(".rejected"), 10, 2000, 5000);
        byte[] over = ("{\"userId\":\"u\",\"name\":\"add_revenue\",\"value\":1,\"n\":\"" + "z".repeat(3000) + "\"}")
                .substring(0, 2001).getBytes();
        InboxRun.Chunk c = run.validate(List.of(E.getBytes(), over), 0, 1);
        assertEquals(1, c.events());
        String entry = Files.readString(dir.resolve(".rejected/h.jsonl.rejected.jsonl"));
        assertTrue(entry.contains("longer than 2000 bytes"), entry);
        assertTrue(entry.length() < 1300, "only the start of the line is kept");
    }

    @Test
    void aLinkIsNeverOpened(@TempDir Path dir) throws Exception {
        Path secret = Files.writeString(dir.resolve("secret.txt"), "root:x:0:0\n");
        Path link = Files.createSymbolicLink(dir.resolve("passwd.jsonl"), secret);
        java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> new InboxRun(link, dir.resolve(".rejected"), 10, 1 << 20, 5000));
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
    }

    @Test
    void aNameDroppedAgainKeepsTheEarlierCopyAndItsRejectedLines(@TempDir Path dir) throws Exception {
        Path inbox = Files.createDirectories(dir.resolve("inbox"));
        Files.createDirectories(inbox.resolve(".done"));
        Files.createDirectories(inbox.resolve(".rejected"));
        Files.writeString(inbox.resolve(".done/x.jsonl"), "first\n");
        Files.writeString(inbox.resolve(".rejected/x.jsonl.rejected.jsonl"), "{\"line\":1}\n");
        Path again = Files.writeString(inbox.resolve("x.jsonl"), E + "\n");
        new InboxRun(again, inbox.resolve(".rejected"), 10, 1 << 20, 5000);
        assertEquals("first\n", Files.readString(inbox.resolve(".done/x.jsonl.1")));
        assertEquals("{\"line\":1}\n", Files.readString(inbox.resolve(".rejected/x.jsonl.1.rejected.jsonl")));
        assertTrue(!Files.exists(inbox.resolve(".done/x.jsonl")) && !Files.exists(inbox.resolve(".rejected/x.jsonl.rejected.jsonl")));
    }

    /** Chunks are validated in parallel, in any order; the quarantine still lists the invalid lines in line order. */
    @Test
    void theQuarantineIsInLineOrderWhateverOrderChunksAreValidatedIn(@TempDir Path dir) throws Exception {
        StringBuilder text = new StringBuilder();
        for (int i = 1; i <= 40; i++) {
            text.append(i % 3 == 0 ? "bad " + i : E).append('\n');
        }
        Path f = Files.writeString(dir.resolve("f.jsonl"), text);
        InboxRun run = new InboxRun(f, dir.resolve(".rejected"), 4, 1 << 20, 5000);
        List<InboxRun.Read> read = new java.util.ArrayList<>();
        run.chunks(Files.newInputStream(f)).forEachRemaining(read::add);
        assertEquals(10, read.size());
        java.util.Collections.shuffle(read, new java.util.Random(7));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            int events = 0;
            for (var done : pool.invokeAll(read.stream().<java.util.concurrent.Callable<InboxRun.Chunk>>map(
                    r -> () -> run.validate(r)).toList())) {
                events += done.get().events();
            }
            assertEquals(27, events);
        } finally {
            pool.shutdown();
        }
        List<String> quarantined = Files.readAllLines(dir.resolve(".rejected/f.jsonl.rejected.jsonl"));
        assertEquals(13, quarantined.size());
        for (int i = 0; i < 13; i++) {
            assertTrue(quarantined.get(i).startsWith("{\"line\":" + (3 * (i + 1)) + ","), quarantined.get(i));
        }
        assertTrue(run.summary().startsWith("40 lines, 0 events accepted, 13 lines rejected"), run.summary());
    }

    /**
     * Chunks ended by their byte bound (lines of a megabyte of garbage: NUL, invalid UTF-8, a BOM, a lone surrogate's
     * bytes, deep nesting) hold a few lines each; every line keeps its number in the quarantine, every valid event is
     * in one chunk, and the keys name the bound (chunk i of another chunking holds other lines).
     */
    @Test
    void chunksEndedByTheirByteBoundKeepEveryLineNumber(@TempDir Path dir) throws Exception {
        byte[][] garbage = {
            ("\0" + "x".repeat(700_000)).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1),
            filled(900_000, (byte) 0xFF),
            ("\uFEFF{\"userId\":\"" + "\u00e9".repeat(300_000) + "\"").getBytes(java.nio.charset.StandardCharsets.UTF_8),
            concat(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, filled(800_000, (byte) 'a')),
            "[".repeat(600_000).getBytes(java.nio.charset.StandardCharsets.US_ASCII),
        };
        java.io.ByteArrayOutputStream file = new java.io.ByteArrayOutputStream();
        int line = 0;
        List<Integer> badLines = new java.util.ArrayList<>();
        for (int round = 0; round < 4; round++) {
            for (byte[] g : garbage) {
                file.writeBytes(E.getBytes());
                file.write('\n');
                file.writeBytes(g);
                file.write('\n');
                line += 2;
                badLines.add(line);
            }
        }
        Path f = Files.write(dir.resolve("f.jsonl"), file.toByteArray());
        InboxRun run = new InboxRun(f, dir.resolve(".rejected"), 5000, 2_000_000, 1 << 20, 5000, Runnable::run);
        List<InboxRun.Read> read = new java.util.ArrayList<>();
        run.chunks(Files.newInputStream(f)).forEachRemaining(read::add);
        assertTrue(read.size() >= 6, "15 MB in chunks of about 2 MB, not one chunk of 40 lines: " + read.size());
        long next = 1;
        int events = 0;
        java.util.Set<String> keys = new java.util.HashSet<>();
        for (InboxRun.Read r : read) {
            assertEquals(next, r.firstLine());
            next += r.lines().size();
            long bytes = r.lines().stream().mapToLong(l -> l.length + 1L).sum();
            assertTrue(bytes <= 2_000_000 + (1 << 20) + 1, "a chunk holds at most its bound and a line: " + bytes);
            InboxRun.Chunk c = run.validate(r);
            events += c.events();
            assertTrue(keys.add(c.key()) && c.key().contains("-5000-2000000-"), c.key());
        }
        assertEquals(41, next);
        assertEquals(20, events);
        List<String> quarantined = Files.readAllLines(dir.resolve(".rejected/f.jsonl.rejected.jsonl"));
        assertEquals(badLines.size(), quarantined.size());
        for (int i = 0; i < badLines.size(); i++) {
            assertTrue(quarantined.get(i).startsWith("{\"line\":" + badLines.get(i) + ","), quarantined.get(i));
        }
        assertNotEquals(run.key(0), new InboxRun(f, dir.resolve(".rejected"), 5000, 1 << 20, 5000).key(0));
    }

    private static byte[] filled(int n, byte b) {
        byte[] a = new byte[n];
        java.util.Arrays.fill(a, b);
        return a;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
