package etl.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/**
 * The audit on the packaged application in a folder of its own, so that every total it holds came through the API:
 * events by every door (single and keyed requests, re-sends, a repeat with another body, garbage, a request set aside
 * for overflowing its total, an inbox file, an import); the audit finds nothing wrong and the archive complete; a total
 * changed behind the system's back is the one mismatch, with the sums on both sides; a rebuild puts it right (the
 * totals before kept in a table); a file removed from the archive makes it partial.
 */
class AuditIT {

    private static final int PORT = 18490;
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void theAuditFindsWhatDiffersFromTheArchiveAndRebuildsIt() throws Exception {
        Path work = Path.of("target", "audit-" + System.currentTimeMillis()).toAbsolutePath();
        Path log = Files.createDirectories(work).resolve("app.log");
        String u = "a" + Long.toString(System.nanoTime(), 36) + "-";
        Map<String, BigDecimal> expected = new HashMap<>();
        Random random = new Random(11);
        try (AppProcess app = AppProcess.start(work, PORT, log, Map.of("ETL_JOBS_POLL_MS", "100"))) {
            for (int i = 0; i < 200; i++) {
                String user = u + random.nextInt(20);
                long cents = random.nextInt(10_000);
                assertEquals(200, post(event(user, "add_revenue", cents), null).statusCode());
                expected.merge(user, BigDecimal.valueOf(cents, 2), BigDecimal::add);
            }
            for (int i = 0; i < 50; i++) {
                String key = "audit-" + i;
                String user = u + "k" + (i % 5);
                long cents = 100 + i;
                assertEquals(200, post(event(user, "subtract_revenue", cents), key).statusCode());
                assertEquals(200, post(event(user, "subtract_revenue", cents), key).statusCode());
                assertEquals(200, post(event(user, "add_revenue", 999_999), key).statusCode(), "a repeat");
                expected.merge(user, BigDecimal.valueOf(-cents, 2), BigDecimal::add);
            }
            assertEquals(400, post("{\"userId\":\"" + u + "g\",\"name\":\"add_revenue\",\"value\":1.234}", null)
                    .statusCode());
            String poison = u + "poison";
            assertEquals(200, post("{\"userId\":\"" + poison + "\",\"name\":\"add_revenue\",\"value\":"
                    + "999999999999999999}", null).statusCode());
            expected.put(poison, new BigDecimal("999999999999999999"));
            awaitTotal(poison, new BigDecimal("999999999999999999"));
            assertEquals(200, post(event(poison, "add_revenue", 500), null).statusCode(), "set aside: overflows");

            StringBuilder inbox = new StringBuilder("\uFEFF");
            for (int i = 0; i < 5000; i++) {
                String user = u + "f" + random.nextInt(30);
                long cents = random.nextInt(50_000);
                inbox.append(event(user, "add_revenue", cents)).append(i % 500 == 0 ? "\nnot json\n" : "\n");
                expected.merge(user, BigDecimal.valueOf(cents, 2), BigDecimal::add);
            }
            Files.createDirectories(work.resolve("inbox"));
            Files.writeString(work.resolve("drop.part"), inbox);
            Files.move(work.resolve("drop.part"), work.resolve("inbox/drop.jsonl"));

            StringBuilder csv = new StringBuilder("userId,name,value\n");
            for (int i = 0; i < 1000; i++) {
                String user = u + "c" + random.nextInt(10);
                long cents = random.nextInt(1000);
                csv.append(user).append(",add_revenue,").append(BigDecimal.valueOf(cents, 2).toPlainString())
                        .append('\n');
                expected.merge(user, BigDecimal.valueOf(cents, 2), BigDecimal::add);
            }
            HttpResponse<String> imported = call("POST", "/imports", csv.toString(), "text/csv");
            assertEquals(202, imported.statusCode(), imported.body());

            Waits.until("every total applied", 60_000, () -> diff(work, expected).isEmpty());
            Waits.until("the outbox drained", 30_000, () -> {
                try (var s = Files.list(work.resolve("outbox"))) {
                    return s.noneMatch(p -> p.getFileName().toString().endsWith(".jsonl"));
                }
            });

            JsonNode clean = audit("{}");
            assertEquals(0, clean.get("mismatches").asLong(), clean.toString());
            assertTrue(clean.get("archive").get("complete").asBoolean(), clean.toString());
            assertEquals(expected.size(), clean.get("users").asLong(), clean.toString());
            assertTrue(clean.get("events").asLong() >= 200 + 50 + 5000 + 1000, clean.toString());
            assertFalse(clean.get("rebuilt").asBoolean());

            String victim = u + "k1";
            sql(work, "UPDATE users_revenue SET revenue = revenue + 1 WHERE user_id = '" + victim + "'");
            JsonNode found = audit("");
            assertEquals(1, found.get("mismatches").asLong(), found.toString());
            JsonNode m = found.get("mismatched").get(0);
            assertEquals(victim, m.get("userId").asText());
            BigDecimal right = expected.get(victim);
            assertEquals(0, right.compareTo(m.get("expected").decimalValue()), m.toString());
            assertEquals(0, right.add(BigDecimal.ONE).compareTo(m.get("actual").decimalValue()), m.toString());

            JsonNode rebuilt = audit("{\"rebuild\": true}");
            assertTrue(rebuilt.get("rebuilt").asBoolean(), rebuilt.toString());
            String backup = rebuilt.get("backupTable").asText();
            assertTrue(diff(work, expected).isEmpty(), "the totals are the archive's sums again");
            assertEquals(0, right.add(BigDecimal.ONE).compareTo(new BigDecimal(sql(work, "SELECT revenue::text FROM "
                    + backup + " WHERE user_id = '" + victim + "'"))), "the totals before are kept in " + backup);
            assertEquals(0, audit("{}").get("mismatches").asLong());

            try (var s = Files.list(work.resolve("outbox/.done"))) {
                Files.delete(s.filter(p -> p.getFileName().toString().endsWith(".jsonl")).sorted().findFirst()
                        .orElseThrow());
            }
            JsonNode partial = audit("{\"rebuild\": true}");
            assertFalse(partial.get("archive").get("complete").asBoolean(), partial.toString());
            assertEquals(1, partial.get("archive").get("missingFiles").asLong());
            assertNotNull(partial.get("archive").get("completeSince").asText(null), partial.toString());
            assertFalse(partial.get("rebuilt").asBoolean(), "a partial archive is never rebuilt from");

            assertEquals(400, call("POST", "/audits", "{\"rebuild\":\"yes\"}", "application/json").statusCode());
            assertEquals("x", Http.JSON.readTree(call("POST", "/audits", "{\"x\":1}", null).body()).get("field")
                    .asText());
            assertEquals(400, CLIENT.send(HttpRequest.newBuilder(URI.create("http://localhost:" + PORT + "/audits"))
                    .header("Authorization", "secret").POST(HttpRequest.BodyPublishers.ofByteArray(
                            new byte[] {'{', (byte) 0xFF, '}'})).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode());
            assertEquals(415, call("POST", "/audits", "{}", "text/csv").statusCode());
            assertEquals(404, call("GET", "/audits/" + UUID.randomUUID(), null, null).statusCode());
            assertEquals(401, CLIENT.send(HttpRequest.newBuilder(URI.create("http://localhost:" + PORT + "/audits"))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode());
        } finally {
            RestartTest.stopLeftoverPostgres(work.resolve("data/pg"));
        }
    }

    private static JsonNode audit(String body) throws Exception {
        HttpResponse<String> created = call("POST", "/audits", body, "application/json");
        assertEquals(202, created.statusCode(), created.body());
        String id = Http.JSON.readTree(created.body()).get("id").asText();
        JsonNode[] last = {null};
        Waits.until("audit " + id + " completed", 60_000, () -> {
            last[0] = Http.JSON.readTree(call("GET", "/audits/" + id, null, null).body());
            assertFalse("failed".equals(last[0].get("status").asText()), last[0].toString());
            return "completed".equals(last[0].get("status").asText());
        });
        return last[0];
    }

    private static void awaitTotal(String user, BigDecimal total) throws Exception {
        Waits.until(user + " at " + total, 15_000, () -> {
            HttpResponse<String> r = call("GET", "/userEvents/" + user, null, null);
            return r.statusCode() == 200 && Http.JSON.readTree(r.body()).get("revenue").decimalValue()
                    .compareTo(total) == 0;
        });
    }

    private static String event(String user, String name, long cents) {
        return "{\"userId\":\"" + user + "\",\"name\":\"" + name + "\",\"value\":"
                + BigDecimal.valueOf(cents, 2).toPlainString() + "}";
    }

    private static HttpResponse<String> post(String body, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + PORT + "/liveEvent"))
                .header("Authorization", "secret").POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("Idempotency-Key", key);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> call(String method, String path, String body, String type) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + PORT + path))
                .header("Authorization", "secret").timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (type != null) {
            b.header("Content-Type", type);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String diff(Path work, Map<String, BigDecimal> expected) throws Exception {
        StringBuilder d = new StringBuilder();
        Map<String, BigDecimal> got = new HashMap<>();
        try (Connection c = db(work); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT user_id, revenue FROM users_revenue")) {
            while (rs.next()) {
                got.put(rs.getString(1), rs.getBigDecimal(2));
            }
        }
        for (var e : expected.entrySet()) {
            BigDecimal want = e.getValue();
            if (got.get(e.getKey()) == null || got.get(e.getKey()).compareTo(want) != 0) {
                d.append(e.getKey()).append(' ');
            }
        }
        return got.size() == expected.size() ? d.toString() : d + " users " + got.size() + "/" + expected.size();
    }

    private static String sql(Path work, String query) throws Exception {
        try (Connection c = db(work); Statement s = c.createStatement()) {
            if (!s.execute(query)) {
                return "";
            }
            try (ResultSet rs = s.getResultSet()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static Connection db(Path work) throws Exception {
        int port = Integer.parseInt(Files.readAllLines(work.resolve("data/pg/postmaster.pid")).get(3).trim());
        return DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/postgres", "postgres", "");
    }
}
