package etl.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The export jobs, black-box: totals applied through {@code POST /liveEvent}, an export created, polled and downloaded
 * over HTTP, its file compared with the totals; byte ranges, conditional requests, deletion and expiry; and requests
 * of every bad shape, each a JSON error naming its field, none creating a job.
 */
class ExportTest extends SystemTestBase {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** Users whose ids need CSV quoting and JSON escaping, with totals of every sign. */
    private Map<String, BigDecimal> applyTotals(String prefix) throws Exception {
        Map<String, BigDecimal> totals = new LinkedHashMap<>();
        totals.put(prefix + "plain", new BigDecimal("100.5"));
        totals.put(prefix + "comma,quote\"", new BigDecimal("0.3"));
        totals.put(prefix + "line\nbreak", new BigDecimal("-42"));
        totals.put(prefix + "ünïcødé 😀", new BigDecimal("1000000"));
        totals.put(prefix + "zero", BigDecimal.ZERO);
        StringBuilder body = new StringBuilder("[");
        for (var t : totals.entrySet()) {
            String user = Http.JSON.writeValueAsString(t.getKey());
            BigDecimal v = t.getValue();
            body.append(body.length() > 1 ? "," : "").append("{\"userId\":").append(user).append(",\"name\":\"")
                    .append(v.signum() < 0 ? "subtract_revenue" : "add_revenue").append("\",\"value\":")
                    .append(v.abs().toPlainString()).append("}");
        }
        assertEquals(200, Http.post(body.append("]").toString(), AUTH, TOKEN).status());
        for (var t : totals.entrySet()) {
            Waits.revenue(t.getKey(), t.getValue().toPlainString(), 15_000);
        }
        return totals;
    }

    @Test
    void aCsvExportIsTheFilteredTotalsWithItsChecksum() throws Exception {
        String prefix = user("exp") + "-";
        Map<String, BigDecimal> totals = applyTotals(prefix);

        Http.Reply created = send("POST", "/exports", "{\"format\": \"csv\", \"userIdPrefix\": "
                + Http.JSON.writeValueAsString(prefix) + "}", "Content-Type", "application/json");
        assertEquals(202, created.status(), created.body());
        String id = created.json().get("id").asText();
        assertEquals("/exports/" + id, created.headers().get("location").get(0));
        assertEquals("csv", created.json().get("format").asText());

        JsonNode done = awaitCompleted(id);
        assertEquals(totals.size(), done.get("rows").asLong());
        assertEquals(1.0, done.get("progress").asDouble());
        assertEquals("/exports/" + id + "/file", done.get("links").get("file").asText());

        HttpResponse<byte[]> file = download(id);
        assertEquals(200, file.statusCode());
        assertEquals("text/csv; charset=utf-8", file.headers().firstValue("content-type").orElse(""));
        assertEquals(Long.toString(file.body().length), file.headers().firstValue("content-length").orElse(""));
        assertEquals(done.get("bytes").asLong(), file.body().length);
        assertEquals(done.get("sha256").asText(), sha256(file.body()));
        assertEquals("\"" + done.get("sha256").asText() + "\"", file.headers().firstValue("etag").orElse(""));
        assertTrue(file.headers().firstValue("content-disposition").orElse("").startsWith("attachment; filename="));

        List<CSVRecord> records = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get()
                .parse(new StringReader(new String(file.body(), StandardCharsets.UTF_8))).getRecords();
        Map<String, BigDecimal> exported = new LinkedHashMap<>();
        for (CSVRecord r : records) {
            exported.put(r.get("userId"), new BigDecimal(r.get("revenue")));
        }
        assertEquals(totals.keySet(), exported.keySet());
        totals.forEach((u, v) -> assertEquals(0, v.compareTo(exported.get(u)), u));
        assertNoPartFiles();

        Waits.until("the export in the metrics", 10_000, () -> {
            Map<String, Double> m = MetricsTest.scrape();
            return m.getOrDefault("etl_jobs{kind=\"export\",status=\"completed\"}", 0.0) >= 1
                    && m.getOrDefault("etl_job_rows_total{kind=\"export\"}", 0.0) >= totals.size()
                    && m.getOrDefault("etl_job_bytes_total{kind=\"export\"}", 0.0) >= file.body().length;
        });
    }

    @Test
    void aJsonLinesExportKeepsOnlyTheRevenueRange() throws Exception {
        String prefix = user("expj") + "-";
        Map<String, BigDecimal> totals = applyTotals(prefix);
        Http.Reply created = send("POST", "/exports", "{\"format\":\"jsonl\",\"userIdPrefix\":"
                + Http.JSON.writeValueAsString(prefix) + ",\"minRevenue\":0,\"maxRevenue\":100.5}");
        assertEquals(202, created.status(), created.body());
        String id = created.json().get("id").asText();
        awaitCompleted(id);
        HttpResponse<byte[]> file = download(id);
        assertEquals("application/x-ndjson", file.headers().firstValue("content-type").orElse(""));
        Map<String, BigDecimal> exported = new LinkedHashMap<>();
        for (String line : new String(file.body(), StandardCharsets.UTF_8).split("\n")) {
            JsonNode n = Http.JSON.readTree(line);
            exported.put(n.get("userId").asText(), n.get("revenue").decimalValue());
        }
        Map<String, BigDecimal> expected = new LinkedHashMap<>();
        totals.forEach((u, v) -> {
            if (v.signum() >= 0 && v.compareTo(new BigDecimal("100.5")) <= 0) {
                expected.put(u, v);
            }
        });
        assertEquals(expected.keySet(), exported.keySet());
        expected.forEach((u, v) -> assertEquals(0, v.compareTo(exported.get(u)), u));
        assertTrue(new String(file.body(), StandardCharsets.UTF_8).endsWith("}\n"));
    }

    @Test
    void byteRangesAndConditionalRequests() throws Exception {
        String prefix = user("expr") + "-";
        applyTotals(prefix);
        String id = send("POST", "/exports", "{\"format\":\"csv\",\"userIdPrefix\":"
                + Http.JSON.writeValueAsString(prefix) + "}").json().get("id").asText();
        awaitCompleted(id);
        byte[] whole = download(id).body();
        String etag = "\"" + sha256(whole) + "\"";

        HttpResponse<byte[]> first = download(id, "Range", "bytes=0-9");
        assertEquals(206, first.statusCode());
        assertEquals("bytes 0-9/" + whole.length, first.headers().firstValue("content-range").orElse(""));
        assertEquals(new String(whole, 0, 10, StandardCharsets.ISO_8859_1), new String(first.body(),
                StandardCharsets.ISO_8859_1));

        HttpResponse<byte[]> rest = download(id, "Range", "bytes=10-");
        assertEquals(206, rest.statusCode());
        assertEquals(whole.length - 10, rest.body().length);
        HttpResponse<byte[]> tail = download(id, "Range", "bytes=-7");
        assertEquals(206, tail.statusCode());
        assertEquals(7, tail.body().length);

        HttpResponse<byte[]> past = download(id, "Range", "bytes=" + whole.length + "-");
        assertEquals(416, past.statusCode());
        assertEquals("bytes */" + whole.length, past.headers().firstValue("content-range").orElse(""));
        assertTrue(new String(past.body(), StandardCharsets.UTF_8).contains("\"error\""));
        assertEquals(416, download(id, "Range", "bytes=99999999999999999999999-").statusCode());

        assertEquals(200, download(id, "Range", "bytes=0-1,5-6").statusCode(), "several ranges: the whole file");
        assertEquals(200, download(id, "Range", "lines=1-2").statusCode(), "another unit: the whole file");
        assertEquals(200, download(id, "Range", "bytes=0-3", "If-Range", "\"other\"").statusCode());
        assertEquals(206, download(id, "Range", "bytes=0-3", "If-Range", etag).statusCode());
        assertEquals(304, download(id, "If-None-Match", etag).statusCode());
        assertEquals(200, download(id, "If-None-Match", "\"other\"").statusCode());
    }

    @Test
    void aRepeatedKeyGivesTheSameJob() throws Exception {
        String key = "export-" + UUID.randomUUID();
        Http.Reply a = send("POST", "/exports", "{\"format\":\"csv\",\"userIdPrefix\":\"none-such-\"}",
                "Idempotency-Key", key);
        Http.Reply b = send("POST", "/exports", "{\"format\":\"jsonl\"}", "Idempotency-Key", key);
        assertEquals(202, a.status());
        assertEquals(202, b.status());
        assertEquals(a.json().get("id"), b.json().get("id"));
        assertEquals("csv", b.json().get("format").asText(), "the first request is the job");
        assertEquals(0, awaitCompleted(a.json().get("id").asText()).get("rows").asLong());
    }

    @Test
    void aDeletedOrExpiredExportIsGoneWithItsFile() throws Exception {
        String id = send("POST", "/exports", "{\"format\":\"csv\",\"userIdPrefix\":\"none-such-\"}").json()
                .get("id").asText();
        awaitCompleted(id);
        Path file = Path.of(EXPORTS, id + ".csv");
        assertTrue(Files.exists(file));
        Http.Reply deleted = send("DELETE", "/exports/" + id, (byte[]) null);
        assertEquals(200, deleted.status(), deleted.body());
        assertTrue(deleted.json().get("deleted").asBoolean());
        assertFalse(Files.exists(file));
        assertEquals(404, send("GET", "/exports/" + id, (byte[]) null).status());
        assertEquals(404, download(id).statusCode());
        assertEquals(404, send("DELETE", "/exports/" + id, (byte[]) null).status());

        String old = send("POST", "/exports", "{\"format\":\"jsonl\",\"userIdPrefix\":\"none-such-\"}").json()
                .get("id").asText();
        awaitCompleted(old);
        Path oldFile = Path.of(EXPORTS, old + ".jsonl");
        assertTrue(Files.exists(oldFile));
        new JdbcTemplate(dataSource()).update("UPDATE etl_jobs SET expires_at = now() - interval '1 second' WHERE id = ?",
                old);
        assertEquals(404, send("GET", "/exports/" + old, (byte[]) null).status(), "expired: gone at once");
        Waits.until("the expired export's file removed", 10_000, () -> !Files.exists(oldFile));
        Waits.until("the expired export's row removed", 10_000, () -> new JdbcTemplate(dataSource())
                .queryForObject("SELECT count(*) FROM etl_jobs WHERE id = ?", Long.class, old) == 0);
    }

    @Test
    void unknownExportsAre404AndTheTokenIsRequired() throws Exception {
        String none = UUID.randomUUID().toString();
        for (String path : List.of("/exports/" + none, "/exports/" + none + "/file", "/exports/not-an-id",
                "/exports/%FF%FE", "/exports/" + "x".repeat(5000))) {
            Http.Reply r = send("GET", path, (byte[]) null);
            assertEquals(404, r.status(), path + ": " + r.body());
            assertTrue(r.json().has("error"));
        }
        assertEquals(404, send("DELETE", "/exports/" + none, (byte[]) null).status());
        for (String[] call : new String[][] {{"POST", "/exports"}, {"GET", "/exports/" + none},
                {"GET", "/exports/" + none + "/file"}, {"DELETE", "/exports/" + none}}) {
            Http.Reply r = sendWithout(call[0], call[1], "{\"format\":\"csv\"}");
            assertEquals(401, r.status(), call[0] + " " + call[1]);
            assertTrue(r.json().has("error"));
        }
    }

    @Test
    void badRequestsNameTheirFieldAndCreateNoJob() throws Exception {
        long before = jobs();
        Map<byte[], String> bad = new LinkedHashMap<>();
        bad.put(bytes("{\"format\":\"xml\"}"), "format");
        bad.put(bytes("{\"format\":1}"), "format");
        bad.put(bytes("{}"), "format");
        bad.put(bytes("{\"format\":\"csv\",\"minrevenue\":5}"), "minrevenue");
        bad.put(bytes("{\"format\":\"csv\",\"minRevenue\":\"5\"}"), "minRevenue");
        bad.put(bytes("{\"format\":\"csv\",\"minRevenue\":1.234}"), "minRevenue");
        bad.put(bytes("{\"format\":\"csv\",\"maxRevenue\":1e30}"), "maxRevenue");
        bad.put(bytes("{\"format\":\"csv\",\"minRevenue\":10,\"maxRevenue\":5}"), "minRevenue");
        bad.put(bytes("{\"format\":\"csv\",\"userIdPrefix\":\"a\\u0000b\"}"), "userIdPrefix");
        bad.put(bytes("{\"format\":\"csv\",\"userIdPrefix\":\"\\ud800x\"}"), "userIdPrefix");
        bad.put(bytes("{\"format\":\"csv\",\"userIdPrefix\":\"" + "p".repeat(256) + "\"}"), "userIdPrefix");
        bad.put(bytes("{\"format\":\"csv\",\"userIdPrefix\":[\"a\"]}"), "userIdPrefix");
        bad.put(bytes("{\"format\":\"csv\",\"x\":" + "[".repeat(5000) + "]".repeat(5000) + "}"), "x");
        bad.put(bytes("[".repeat(100_000) + "]".repeat(100_000)), null);
        bad.put(bytes("{\"format\":\"csv\"} {\"format\":\"csv\"}"), null);
        bad.put(bytes("{\"format\":\"csv\",\"format\":\"jsonl\"}"), null);
        bad.put(bytes("not json"), null);
        bad.put(new byte[0], null);
        bad.put(new byte[] {'{', '"', 'f', 'o', 'r', 'm', 'a', 't', '"', ':', '"', (byte) 0xC3, 0x28, '"', '}'}, null);
        bad.put(new byte[] {'{', '"', 'f', 'o', 'r', 'm', 'a', 't', '"', ':', '"', 'c', 's', 'v', '"', 0, '}'}, null);
        bad.put(new byte[] {'{', (byte) 0xC0, (byte) 0xAF, '}'}, null);
        bad.put("{\"format\":\"csv\"}".getBytes(StandardCharsets.UTF_16), null);
        bad.put(bytes("{\"format\":\"csv\",\"userIdPrefix\":\"" + "a".repeat(70_000) + "\"}"), null);
        for (var b : bad.entrySet()) {
            Http.Reply r = send("POST", "/exports", b.getKey());
            String what = new String(b.getKey(), 0, Math.min(60, b.getKey().length), StandardCharsets.ISO_8859_1);
            assertEquals(400, r.status(), what + " -> " + r.body());
            assertEquals("application/json", r.contentType(), what);
            assertTrue(r.json().has("error"), what);
            if (b.getValue() != null) {
                assertEquals(b.getValue(), r.json().get("field").asText(), what + " -> " + r.body());
            }
        }
        Http.Reply wrongType = send("POST", "/exports", bytes("userId,name,value\n"), "Content-Type", "text/csv");
        assertEquals(415, wrongType.status(), wrongType.body());
        assertEquals(400, send("POST", "/exports", bytes("{\"format\":\"csv\"}"), "Idempotency-Key", " ").status());
        assertEquals(before, jobs(), "no bad request created a job");

        // a BOM before the JSON is no garbage: the export is made, and nothing above stalled the runner
        byte[] bom = bytes("\uFEFF{\"format\":\"csv\",\"userIdPrefix\":\"none-such-\"}");
        Http.Reply ok = send("POST", "/exports", bom);
        assertEquals(202, ok.status(), ok.body());
        awaitCompleted(ok.json().get("id").asText());
    }

    private long jobs() {
        return new JdbcTemplate(dataSource()).queryForObject("SELECT count(*) FROM etl_jobs", Long.class);
    }

    private static void assertNoPartFiles() throws Exception {
        try (var files = Files.list(Path.of(EXPORTS))) {
            List<String> parts = new ArrayList<>();
            files.filter(f -> f.getFileName().toString().endsWith(".part")).forEach(f -> parts.add(f.toString()));
            assertEquals(List.of(), parts);
        }
    }

    static JsonNode awaitCompleted(String id) throws Exception {
        JsonNode[] last = {null};
        Waits.until("export " + id + " completed", 20_000, () -> {
            Http.Reply r = send("GET", "/exports/" + id, (byte[]) null);
            last[0] = r.json();
            assertNotNull(last[0].get("status"), r.body());
            assertFalse("failed".equals(last[0].get("status").asText()), r.body());
            return "completed".equals(last[0].get("status").asText());
        });
        return last[0];
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    static HttpResponse<byte[]> download(String id, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(Http.BASE + "/exports/" + id + "/file"))
                .timeout(Duration.ofSeconds(30)).header(AUTH, TOKEN);
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static Http.Reply send(String method, String path, String body, String... headers) throws Exception {
        return send(method, path, body == null ? null : bytes(body), headers);
    }

    static Http.Reply send(String method, String path, byte[] body, String... headers) throws Exception {
        String[] all = new String[headers.length + 2];
        all[0] = AUTH;
        all[1] = TOKEN;
        System.arraycopy(headers, 0, all, 2, headers.length);
        return sendWithout(method, path, body, all);
    }

    static Http.Reply sendWithout(String method, String path, String body, String... headers) throws Exception {
        return sendWithout(method, path, body == null ? null : bytes(body), headers);
    }

    static Http.Reply sendWithout(String method, String path, byte[] body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(Http.BASE + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Http.Reply(r.statusCode(), r.body(), r.headers().map());
    }
}
