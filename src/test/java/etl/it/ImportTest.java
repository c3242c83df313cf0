package etl.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The import jobs, black-box: JSON Lines and CSV uploads over HTTP, full of hostile bytes, each valid event applied
 * once and each bad line in the job's rejected lines with its number and reason; wrong formats (415), too large (413),
 * no token (401), repeated keys; the paged list of jobs.
 */
class ImportTest extends SystemTestBase {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aJsonLinesImportAppliesItsValidLinesAndRejectsTheRest() throws Exception {
        String u = user("imp") + "-";
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}); // BOM before line 1
        f.write(bytes("{\"userId\":\"" + u + "a\",\"name\":\"add_revenue\",\"value\":10.25}\r\n")); // 1
        f.write(bytes("\n")); // 2 blank
        f.write(new byte[] {'{', '"', 'u', (byte) 0xFE, (byte) 0xFF, '"', '}', '\n'}); // 3 not UTF-8
        f.write(bytes("{\"userId\":\"" + u + "a\u0000\",\"name\":\"add_revenue\",\"value\":1}\n")); // 4 NUL
        f.write(bytes("{\"userId\":\"" + u + "\\ud800\",\"name\":\"add_revenue\",\"value\":1}\n")); // 5 surrogate
        f.write(bytes("not json\n")); // 6
        f.write(new byte[] {'{', '"', (byte) 0xC0, (byte) 0xAF, '"', ':', '1', '}', '\n'}); // 7 overlong
        f.write("{\"userId\":\"x\"}".getBytes(StandardCharsets.UTF_16LE)); // 8 UTF-16
        f.write('\n');
        f.write(bytes("{\"userId\":\"" + u + "b\",\"name\":\"subtract_revenue\",\"value\":3,\"pad\":\""
                + "p".repeat(1_200_000) + "\"}\n")); // 9 over the line limit
        f.write(bytes("[".repeat(5000) + "\n")); // 10 deep nesting
        f.write(bytes("{\"userId\":\"" + u + "b\",\"name\":\"subtract_revenue\",\"value\":0.5}\n")); // 11
        f.write(bytes("{\"userId\":\"" + u + "a\",\"name\":\"add_revenue\",\"value\":1.234}\n")); // 12 3 decimals
        f.write(bytes("{\"userId\":\"" + u + "é😀\",\"name\":\"add_revenue\",\"value\":7}")); // 13, no final newline

        JsonNode job = awaitCompleted(upload(f.toByteArray(), "application/x-ndjson"));
        assertEquals(12, job.get("lines").asLong(), job.toString());
        assertEquals(3, job.get("accepted").asLong(), job.toString());
        assertEquals(9, job.get("rejected").asLong(), job.toString());
        assertEquals(1.0, job.get("progress").asDouble());
        Waits.revenue(u + "a", "10.25", 15_000);
        Waits.revenue(u + "b", "-0.5", 15_000);
        Waits.revenue(u + "é😀", "7", 15_000);

        Map<Long, JsonNode> rejected = rejected(job.get("id").asText());
        assertEquals(List.of(3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 12L), new ArrayList<>(rejected.keySet()));
        assertTrue(rejected.get(3L).has("rawBase64"), "not UTF-8: kept as bytes");
        assertEquals("{\"u\u00fe\u00ff\"}".length(), new String(Base64.getDecoder().decode(rejected.get(3L)
                .get("rawBase64").asText()), StandardCharsets.ISO_8859_1).length());
        assertTrue(rejected.get(9L).get("reason").asText().contains("longer than"), rejected.get(9L).toString());
        assertEquals("not json", rejected.get(6L).get("raw").asText());
        assertNoUploadsLeft();
    }

    /**
     * An import of megabyte lines of garbage (NUL, invalid UTF-8, a BOM, deep nesting) between valid events is read in
     * chunks of about etl.inbox.chunk-bytes (here 2 MB) as an inbox file is: the job keeps the bounds it was accepted
     * with, each chunk's key names them, every valid event is applied once and every bad line rejected under its
     * number.
     */
    @Test
    void anImportOfMegabyteLinesIsReadInChunksOfBoundedSize() throws Exception {
        String u = user("impmega");
        byte[][] garbage = {
            ("\0" + "x".repeat(1_000_000)).getBytes(StandardCharsets.ISO_8859_1),
            ("\uFEFF{\"userId\":\"" + "\u00e9".repeat(500_000) + "\"}").getBytes(StandardCharsets.ISO_8859_1),
            "[".repeat(1_000_000).getBytes(StandardCharsets.US_ASCII),
        };
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        for (byte[] g : garbage) {
            f.write(bytes("{\"userId\":\"" + u + "\",\"name\":\"add_revenue\",\"value\":1}\n"));
            f.write(g);
            f.write('\n');
        }
        f.write(bytes("{\"userId\":\"" + u + "\",\"name\":\"add_revenue\",\"value\":1}\n"));

        JsonNode job = awaitCompleted(upload(f.toByteArray(), "application/x-ndjson"));
        String id = job.get("id").asText();
        assertEquals(7, job.get("lines").asLong(), job.toString());
        assertEquals(4, job.get("accepted").asLong(), job.toString());
        assertEquals(2000000, job.get("chunkBytes").asLong(), job.toString());
        Waits.revenue(u, "4", 15_000);
        assertEquals(List.of(2L, 4L, 6L), new ArrayList<>(rejected(id).keySet()));
        // the chunks as spooled: more than one, each key naming the bounds
        spooledChunks(java.util.regex.Pattern.compile("import-" + id + "-1000-2000000-(\\d+)"), 2);
        assertNoUploadsLeft();
    }

    @Test
    void aCsvImportReadsQuotedFieldsAndRejectsBadRecords() throws Exception {
        String u = user("csv") + "-";
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write(bytes("\uFEFFValue,userId,note,name\r\n")); // 1: the columns in another order, one extra
        f.write(bytes("12.50," + u + "a,hello,add_revenue\r\n")); // 2
        f.write(bytes("\"1.5\",\"" + u + "b, \"\"quoted\"\"\nline\",\"multi\nline\nnote\",add_revenue\r\n")); // 3-6
        f.write(bytes("abc," + u + "a,x,add_revenue\n")); // 7 not a number
        f.write(bytes("-5," + u + "a,x,add_revenue\n")); // 8 negative
        f.write(bytes("1.234," + u + "a,x,add_revenue\n")); // 9 three decimals
        f.write(bytes("3," + u + "a,x,refund\n")); // 10 unknown name
        f.write(bytes("3," + u + "a\n")); // 11 too few fields
        f.write(new byte[] {'4', ',', 'u', (byte) 0xFF, ',', 'x', ',', 'a', 'd', 'd', '\n'}); // 12 not UTF-8
        f.write(bytes("\n")); // 13 blank
        f.write(bytes("2.25," + u + "a,x,subtract_revenue\n")); // 14
        // 15: a quote never closed, which takes the last line (16) with it to the end of the file
        f.write(bytes("1,\"" + u + "never closed,x,add_revenue\n"));
        f.write(bytes("1," + u + "a,x,add_revenue\n"));

        JsonNode job = awaitCompleted(upload(f.toByteArray(), "text/csv; charset=utf-8"));
        assertEquals(3, job.get("accepted").asLong(), job.toString());
        Waits.revenue(u + "a", "10.25", 15_000);
        Waits.revenue(u + "b, \"quoted\"\nline", "1.5", 15_000);
        Map<Long, JsonNode> rejected = rejected(job.get("id").asText());
        assertEquals(List.of(7L, 8L, 9L, 10L, 11L, 12L, 15L), new ArrayList<>(rejected.keySet()), rejected.toString());
        assertTrue(rejected.get(7L).get("reason").asText().contains("not a number"));
        assertTrue(rejected.get(12L).has("rawBase64"));
        assertTrue(rejected.get(15L).get("reason").asText().contains("not closed"), rejected.get(15L).toString());
        assertEquals(7, job.get("rejected").asLong());
    }

    @Test
    void wrongFormatsTooLargeAndNoTokenKeepNothing() throws Exception {
        long before = jobs();
        String csv = "userId,name,value\nu,add_revenue,1\n";
        String jsonl = "{\"userId\":\"u\",\"name\":\"add_revenue\",\"value\":1}\n";
        assertEquals(415, post(bytes(jsonl), "text/plain").status());
        assertEquals(415, post(bytes(jsonl), null).status());
        assertEquals(415, post(bytes(csv), "application/x-ndjson").status(), "a CSV sent as JSON Lines");
        assertEquals(415, post(bytes(jsonl), "text/csv").status(), "JSON Lines sent as CSV");
        Http.Reply noValue = post(bytes("userId,name\nu,add_revenue\n"), "text/csv");
        assertEquals(415, noValue.status());
        assertTrue(noValue.json().get("error").asText().contains("value"), noValue.body());
        assertEquals(401, send(bytes(jsonl), "application/x-ndjson", false, false).status());
        Http.Reply big = post(new byte[5_000_001], "application/x-ndjson");
        assertEquals(413, big.status(), big.body());
        Http.Reply bigChunked = send(new byte[6_000_000], "application/x-ndjson", true, true);
        assertEquals(413, bigChunked.status(), bigChunked.body());
        assertEquals(400, post(bytes(jsonl), "application/x-ndjson", "Idempotency-Key", "").status());
        for (Http.Reply r : new Http.Reply[] {post(bytes(jsonl), "text/plain"), big}) {
            assertEquals("application/json", r.contentType());
            assertTrue(r.json().has("error"));
        }
        assertEquals(before, jobs(), "no refused upload made a job");
        assertNoUploadsLeft();
    }

    @Test
    void aRepeatedKeyGivesTheSameJobAndTheEventsOnce() throws Exception {
        String u = user("impkey");
        String key = "import-" + UUID.randomUUID();
        byte[] body = bytes("{\"userId\":\"" + u + "\",\"name\":\"add_revenue\",\"value\":4}\n");
        Http.Reply a = post(body, "application/x-ndjson", "Idempotency-Key", key);
        Http.Reply b = post(body, "application/x-ndjson", "Idempotency-Key", key);
        assertEquals(202, a.status(), a.body());
        assertEquals(202, b.status(), b.body());
        assertEquals(a.json().get("id"), b.json().get("id"));
        awaitCompleted(a);
        Waits.revenue(u, "4", 15_000);
        awaitProcessorPolls();
        assertEquals(0, new BigDecimal("4").compareTo(Http.get(u).json().get("revenue").decimalValue()));
        assertNoUploadsLeft();
    }

    @Test
    void jobsAreListedNewestFirstPageByPage() throws Exception {
        List<String> mine = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            mine.add(0, post(bytes(""), "application/x-ndjson").json().get("id").asText());
        }
        List<String> listed = new ArrayList<>();
        String after = null;
        do {
            Http.Reply r = Http.getRaw("/imports?limit=2" + (after == null ? "" : "&after=" + after), AUTH, TOKEN);
            assertEquals(200, r.status(), r.body());
            assertTrue(r.json().get("items").size() <= 2);
            for (JsonNode item : r.json().get("items")) {
                listed.add(item.get("id").asText());
            }
            after = r.json().get("next").isNull() ? null : r.json().get("next").asText();
        } while (after != null);
        assertEquals(listed.size(), listed.stream().distinct().count(), "no job twice");
        List<String> order = new ArrayList<>(listed);
        order.retainAll(mine);
        assertEquals(mine, order, "newest first");
        assertEquals(400, Http.getRaw("/imports?limit=0", AUTH, TOKEN).status());
        assertEquals("after", Http.getRaw("/imports?after=%FF", AUTH, TOKEN).json().get("field").asText());
        assertEquals(401, Http.getRaw("/imports").status());
        assertEquals(200, Http.getRaw("/exports?limit=1", AUTH, TOKEN).status());
    }

    @Test
    void unknownImportsAre404() throws Exception {
        String none = UUID.randomUUID().toString();
        for (String path : List.of("/imports/" + none, "/imports/" + none + "/rejected", "/imports/nope")) {
            Http.Reply r = Http.getRaw(path, AUTH, TOKEN);
            assertEquals(404, r.status(), path);
            assertTrue(r.json().has("error"));
        }
    }

    private long jobs() {
        return new JdbcTemplate(dataSource()).queryForObject("SELECT count(*) FROM etl_jobs", Long.class);
    }

    /** What an earlier run of the tests left in target/it (a failed run keeps its files): not this run's. */
    private static final long STARTED = System.currentTimeMillis() - 1000;

    private static void assertNoUploadsLeft() throws Exception {
        Waits.until("no upload left in the imports folder", 10_000, () -> {
            try (var files = Files.list(Path.of(IMPORTS))) {
                return files.filter(p -> p.toFile().lastModified() >= STARTED).noneMatch(p -> p.getFileName()
                        .toString().endsWith(".part") || p.getFileName().toString().matches(".*-[0-9a-f]{12}\\.(jsonl|csv)"));
            }
        });
    }

    private static Http.Reply upload(byte[] body, String type) throws Exception {
        Http.Reply r = post(body, type);
        assertEquals(202, r.status(), r.body());
        assertEquals("queued", r.json().get("status").asText(), r.body());
        assertEquals("/imports/" + r.json().get("id").asText(), r.headers().get("location").get(0));
        return r;
    }

    private static JsonNode awaitCompleted(Http.Reply created) throws Exception {
        String id = created.json().get("id").asText();
        JsonNode[] last = {null};
        Waits.until("import " + id + " completed", 30_000, () -> {
            Http.Reply r = Http.getRaw("/imports/" + id, AUTH, TOKEN);
            last[0] = r.json();
            assertNotNull(last[0].get("status"), r.body());
            assertFalse("failed".equals(last[0].get("status").asText()), r.body());
            return "completed".equals(last[0].get("status").asText());
        });
        return last[0];
    }

    private static Map<Long, JsonNode> rejected(String id) throws Exception {
        Http.Reply r = Http.getRaw("/imports/" + id + "/rejected", AUTH, TOKEN);
        assertEquals(200, r.status());
        assertEquals("application/x-ndjson", r.contentType());
        Map<Long, JsonNode> byLine = new LinkedHashMap<>();
        for (String line : r.body().split("\n")) {
            if (!line.isEmpty()) {
                JsonNode n = Http.JSON.readTree(line);
                assertTrue(n.has("reason") && (n.has("raw") || n.has("rawBase64")), line);
                byLine.put(n.get("line").asLong(), n);
            }
        }
        return byLine;
    }

    private static Http.Reply post(byte[] body, String type, String... headers) throws Exception {
        return send(body, type, true, false, headers);
    }

    private static Http.Reply send(byte[] body, String type, boolean token, boolean chunked, String... headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(Http.BASE + "/imports"))
                .timeout(Duration.ofSeconds(60))
                .POST(chunked ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (type != null) {
            b.header("Content-Type", type);
        }
        if (token) {
            b.header(AUTH, TOKEN);
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Http.Reply(r.statusCode(), r.body(), r.headers().map());
        } catch (java.io.IOException e) {
            throw new AssertionError("the upload's connection failed: " + e, e);
        }
    }

}
