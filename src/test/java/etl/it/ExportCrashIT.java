package etl.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of the process while it writes an export of two million totals: no file under the export's final name is
 * left half-written (nor served), the job is claimed again once its lease runs out, and the file it ends with is
 * byte for byte the export of the table (its SHA-256 computed here from the rows the test inserted).
 */
class ExportCrashIT {

    private static final int PORT = 18470;
    private static final int ROWS = 2_000_000;
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void anExportKilledMidwayIsRunAgainAndEndsExact() throws Exception {
        Path work = Path.of("target", "export-crash-" + System.currentTimeMillis()).toAbsolutePath();
        Path log = Files.createDirectories(work).resolve("app.log");
        Map<String, String> env = Map.of("ETL_JOBS_LEASE_MS", "1500", "ETL_JOBS_POLL_MS", "100");
        String id;
        AppProcess first = AppProcess.start(work, PORT, log, env);
        try {
            int pg = Integer.parseInt(Files.readAllLines(work.resolve("data/pg/postmaster.pid")).get(3).trim());
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://localhost:" + pg + "/postgres",
                    "postgres", ""); Statement s = c.createStatement()) {
                s.execute("INSERT INTO users_revenue (user_id, revenue) SELECT 'crash-' || lpad(g::text, 8, '0'),"
                        + " (g % 100000) / 100.0 - 300 FROM generate_series(1, " + ROWS + ") g");
            }
            HttpResponse<String> created = call("POST", "/exports", "{\"format\":\"csv\"}");
            assertEquals(202, created.statusCode(), created.body());
            id = Http.JSON.readTree(created.body()).get("id").asText();
            String job = id;
            JsonNode[] seen = {null};
            Waits.until("the export running, part of it written", 60_000, () -> {
                seen[0] = Http.JSON.readTree(call("GET", "/exports/" + job, null).body());
                return "running".equals(seen[0].get("status").asText()) && seen[0].get("done").asLong() > 0;
            });
            assertEquals(409, call("GET", "/exports/" + id + "/file", null).statusCode(), "not served while running");
            assertTrue(seen[0].get("done").asLong() < ROWS, "the export finished before the kill; make it larger");
        } finally {
            first.kill9();
        }
        assertFalse(Files.exists(work.resolve("exports/" + id + ".csv")), "a half-written file under the final name");

        try (AppProcess second = AppProcess.start(work, PORT, log, env)) {
            String job = id;
            JsonNode[] done = {null};
            Waits.until("the export completed after the restart", 120_000, () -> {
                done[0] = Http.JSON.readTree(call("GET", "/exports/" + job, null).body());
                assertFalse("failed".equals(done[0].get("status").asText()), done[0].toString());
                return "completed".equals(done[0].get("status").asText());
            });
            assertEquals(ROWS, done[0].get("rows").asLong());
            assertEquals(2, done[0].get("attempts").asInt(), "claimed again once, after its lease ran out");
            String expected = expectedSha256();
            assertEquals(expected, done[0].get("sha256").asText(), "the file is the table's export, byte for byte");

            HttpResponse<byte[]> file = CLIENT.send(HttpRequest.newBuilder(
                    URI.create("http://localhost:" + PORT + "/exports/" + id + "/file")).header("Authorization", "secret")
                    .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, file.statusCode());
            assertEquals(expected, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(file.body())));
            try (var files = Files.list(work.resolve("exports"))) {
                assertEquals(1, files.count(), "only the export's file is left (no .part)");
            }
        } finally {
            RestartTest.stopLeftoverPostgres(work.resolve("data/pg"));
        }
    }

    /** The CSV the export must be: the header, then each inserted row in user order, amounts plain, CRLF. */
    private static String expectedSha256() throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        StringBuilder sb = new StringBuilder("userId,revenue\r\n");
        for (int g = 1; g <= ROWS; g++) {
            BigDecimal v = BigDecimal.valueOf(g % 100000, 2).subtract(BigDecimal.valueOf(300));
            BigDecimal plain = v.signum() == 0 ? BigDecimal.ZERO : v.stripTrailingZeros();
            sb.append(String.format("crash-%08d", g)).append(',')
                    .append((plain.scale() < 0 ? plain.setScale(0) : plain).toPlainString()).append("\r\n");
            if (sb.length() > 1 << 20) {
                sha.update(sb.toString().getBytes(StandardCharsets.UTF_8));
                sb.setLength(0);
            }
        }
        sha.update(sb.toString().getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(sha.digest());
    }

    private static HttpResponse<String> call(String method, String path, String body) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create("http://localhost:" + PORT + path))
                .header("Authorization", "secret").timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build();
        return CLIENT.send(r, HttpResponse.BodyHandlers.ofString());
    }
}
