package etl.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import etl.event.Event;
import etl.spool.SpoolRecord;

/**
 * A request the database refuses for good is set aside whole, with its reason, and nothing else waits for it; a
 * failure that passes is waited out with no transaction held.
 */
class SetAsideTest extends SystemTestBase {

    private static final String MAX = "999999999999999999";

    private static String event(String user, String name, String value) {
        return "{\"userId\":\"" + user + "\",\"name\":\"" + name + "\",\"value\":" + value + "}";
    }

    private static List<JsonNode> rejectedEntries() throws Exception {
        List<JsonNode> all = new ArrayList<>();
        Path dir = outbox().resolve(".rejected");
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".rejected.jsonl")).toList()) {
                    for (String line : Files.readAllLines(f)) {
                        all.add(Http.JSON.readTree(line));
                    }
                }
            }
        }
        return all;
    }

    @Test
    void aTotalOutOfRangeIsSetAsideAndTheOthersGoOn() throws Exception {
        String p = user("poison");
        String q = user("bystander");
        double setAsideBefore = MetricsTest.scrape().getOrDefault("etl_requests_set_aside_total", 0.0);
        assertEquals(200, Http.post(event(p, "add_revenue", MAX), AUTH, TOKEN).status());
        Waits.revenue(p, MAX, 5000);
        // sent together, so that they share outbox files and batches: the second and the third overflow the total
        String key = "poison-" + p;
        List<Thread> senders = new ArrayList<>();
        String[] bodies = {
            event(q, "add_revenue", "1"),
            event(p, "add_revenue", MAX),
            "[" + event(q, "add_revenue", "100") + "," + event(p, "add_revenue", "5") + "]",
            event(q, "add_revenue", "2"),
        };
        for (int i = 0; i < bodies.length; i++) {
            String body = bodies[i];
            String k = key + "-" + i;
            Http.Reply r = Http.post(body, AUTH, TOKEN, "Idempotency-Key", k);
            assertEquals(200, r.status(), r.body());
        }
        senders.forEach(Thread::interrupt);
        // the bystander's own requests are applied; the whole request that also named the poisoned user is not
        Waits.revenue(q, "3", 15_000);
        assertEquals(0, Http.get(p).json().get("revenue").decimalValue().compareTo(new java.math.BigDecimal(MAX)));
        List<JsonNode> entries = rejectedEntries().stream()
                .filter(n -> n.get("raw").asText().contains(p)).toList();
        assertEquals(2, entries.size(), entries.toString());
        for (JsonNode n : entries) {
            assertTrue(n.get("reason").asText().startsWith("refused by the database: "), n.toString());
            assertTrue(n.get("reason").asText().contains("22003"), n.toString());
            assertTrue(n.get("line").asLong() >= 1, n.toString());
        }
        Waits.until("set-aside metric", 5000, () -> MetricsTest.scrape()
                .getOrDefault("etl_requests_set_aside_total", 0.0) >= setAsideBefore + 2);
        // later requests are not held up
        Http.post(event(q, "add_revenue", "4"), AUTH, TOKEN);
        Waits.revenue(q, "7", 5000);
        // a set-aside request was not applied: its key is not taken, a re-send is set aside again, not a "duplicate"
        Http.Reply again = Http.post(bodies[1], AUTH, TOKEN, "Idempotency-Key", key + "-1");
        assertEquals(200, again.status());
        assertTrue(again.json().get("duplicate") == null, again.body());
    }

    /**
     * One spool file of several requests, one of which the database refuses: the batch is applied request by request,
     * in one transaction, and each request adds its own sums once (the sums table of an earlier request was merged
     * again by every later one: added twice, or refused as "MERGE command cannot affect row a second time").
     */
    @Test
    void requestsAppliedOneByOneInOneFileAreEachAddedOnce() throws Exception {
        String p = user("poison-file");
        String q = user("bystander-file");
        String r = user("third-file");
        assertEquals(200, Http.post(event(p, "add_revenue", MAX), AUTH, TOKEN).status());
        Waits.revenue(p, MAX, 5000);
        byte[][] lines = {
            SpoolRecord.line(null, List.of(new Event(q, "add_revenue", BigDecimal.ONE))),
            SpoolRecord.line(null, List.of(new Event(r, "add_revenue", new BigDecimal("2")))),
            SpoolRecord.line("file-" + p, List.of(new Event(p, "add_revenue", BigDecimal.ONE))),
            SpoolRecord.line(null, List.of(new Event(q, "add_revenue", new BigDecimal("4")),
                    new Event(r, "add_revenue", new BigDecimal("8")))),
        };
        Path made = Files.createTempFile(outbox().toAbsolutePath().getParent(), "spool", ".tmp");
        try (var out = Files.newOutputStream(made)) {
            for (byte[] line : lines) {
                out.write(line);
            }
        }
        Files.move(made, outbox().resolve("0000000000002-isolated-" + System.nanoTime() + ".jsonl"),
                StandardCopyOption.ATOMIC_MOVE);
        Waits.revenue(r, "10", 15_000);
        Waits.revenue(q, "5", 5000);
        Thread.sleep(300);
        assertEquals(0, Http.get(q).json().get("revenue").decimalValue().compareTo(new BigDecimal("5")));
        assertEquals(0, Http.get(r).json().get("revenue").decimalValue().compareTo(new BigDecimal("10")));
        assertEquals(1, rejectedEntries().stream().filter(n -> n.get("raw").asText().contains(p)).count());
    }

    /**
     * An outbox segment left open by a server that was killed (no process holds its lock), holding answered requests,
     * a garbage line and a compact line cut short between them and a huge torn last line: the running processor seals it
     * (route spool-orphans), applies its requests once and keeps the three bad lines in .rejected/.
     */
    @Test
    void aSegmentLeftOpenByAKilledServerIsSealedAndApplied() throws Exception {
        String u = user("orphan");
        String name = "0000000000003-killed" + System.nanoTime() + "-000001.jsonl";
        java.io.ByteArrayOutputStream content = new java.io.ByteArrayOutputStream();
        content.write(SpoolRecord.line(null, List.of(new Event(u, "add_revenue", new BigDecimal("3")))));
        // a BOM, NUL, invalid UTF-8 and a lone surrogate's bytes, then a newline
        content.write(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, 0, (byte) 0xFF, (byte) 0xC3, 0x28,
            (byte) 0xED, (byte) 0xA0, (byte) 0x80, '\n'});
        // a compact line cut short, its count and checksum those of the whole line
        byte[] cut = SpoolRecord.line(null, List.of(new Event(u, "add_revenue", new BigDecimal("100")),
                new Event(u, "add_revenue", new BigDecimal("200"))));
        content.write(cut, 0, cut.length - 8);
        content.write('\n');
        content.write(SpoolRecord.line("orphan-" + u, List.of(new Event(u, "add_revenue", new BigDecimal("4")))));
        content.write(("{\"key\":null,\"events\":[{\"userId\":\"" + u + "\",\"name\":\"add_revenue\",\"value\":"
                + "9".repeat(2_000_000)).getBytes(java.nio.charset.StandardCharsets.US_ASCII)); // torn: no newline
        Files.write(outbox().resolve("." + name + ".open"), content.toByteArray());

        Waits.revenue(u, "7", 15_000);
        Waits.until("the segment sealed and applied", 10_000, () -> !Files.exists(outbox().resolve(name))
                && !Files.exists(outbox().resolve("." + name + ".open")));
        Thread.sleep(300);
        assertEquals(0, Http.get(u).json().get("revenue").decimalValue().compareTo(new BigDecimal("7")));
        List<JsonNode> kept = new ArrayList<>();
        for (String line : Files.readAllLines(outbox().resolve(".rejected").resolve(name + ".rejected.jsonl"))) {
            kept.add(Http.JSON.readTree(line));
        }
        assertEquals(List.of(2L, 3L, 5L), kept.stream().map(n -> n.get("line").asLong()).toList(), kept.toString());
    }

    @Test
    void aFolderNamedLikeASpoolFileIsMovedAside() throws Exception {
        String u = user("dir");
        Path dir = outbox().resolve("0000000000001-zz-000001.jsonl");
        // made beside the outbox and moved in whole: the processor may move an empty folder aside before its
        // content is made in place
        Path made = Files.createTempDirectory(outbox().toAbsolutePath().getParent(), "folder");
        Files.createDirectories(made.resolve("inner"));
        Files.move(made, dir, StandardCopyOption.ATOMIC_MOVE);
        assertEquals(200, Http.post(event(u, "add_revenue", "9"), AUTH, TOKEN).status());
        Waits.revenue(u, "9", 10_000);
        Waits.until("folder moved aside", 5000, () -> !Files.exists(dir));
        try (Stream<Path> s = Files.list(outbox().resolve(".rejected"))) {
            assertTrue(s.anyMatch(p -> p.getFileName().toString().startsWith("0000000000001-zz-000001.jsonl.not-a-file")));
        }
    }

    /** Transactions of this application idle for more than 300 ms (the processor's are a few ms). */
    private int longIdleTransactions(Statement st) throws Exception {
        try (ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid()"
                + " AND state LIKE 'idle in transaction%' AND now() - state_change > interval '300 milliseconds'")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void theBackoffWaitsWithNoTransactionOpen() throws Exception {
        String u = user("backoff");
        try (Connection c = dataSource().getConnection(); Statement st = c.createStatement()) {
            // a failure that passes: the table of keys is gone for a few seconds
            st.execute("ALTER TABLE idempotency_keys RENAME TO idempotency_keys_away");
            int seen = 0;
            try {
                assertEquals(200, Http.post(event(u, "add_revenue", "3"), AUTH, TOKEN, "Idempotency-Key",
                        "backoff-" + u).status());
                long end = System.currentTimeMillis() + 3000;
                while (System.currentTimeMillis() < end) {
                    seen = Math.max(seen, longIdleTransactions(st));
                    Thread.sleep(50);
                }
            } finally {
                st.execute("ALTER TABLE idempotency_keys_away RENAME TO idempotency_keys");
            }
            assertEquals(0, seen, "a transaction was held open while the processor waited");
        }
        Waits.revenue(u, "3", 40_000);
    }
}
