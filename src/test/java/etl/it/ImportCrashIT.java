package etl.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
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

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/**
 * An import of 600,000 lines (garbage among them) run by one of two processes sharing the folders and the database:
 * the process running it is killed with kill -9 (found by the job's owner), the other takes the job over once its lease
 * runs out, and is killed in turn; then both are started again. The import ends completed, every total exact
 * (computed here from the generated lines), nothing counted twice; the same upload sent again with its Idempotency-Key
 * is the same job and changes nothing.
 */
class ImportCrashIT {

    private static final int PORT_A = 18480;
    private static final int PORT_B = 18482;
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void anImportSurvivesKillsOfWhicheverProcessRunsIt() throws Exception {
        long seed = Long.getLong("crash.seed", System.currentTimeMillis());
        System.out.println("ImportCrashIT seed=" + seed + " (replay: -Dcrash.seed=" + seed + ")");
        Path work = Path.of("target", "import-crash-" + seed + "-" + System.currentTimeMillis()).toAbsolutePath();
        Path log = Files.createDirectories(work).resolve("app.log");
        String prefix = "i" + Long.toString(seed, 36) + "-";
        Random random = new Random(seed);
        Map<String, Long> expected = new HashMap<>();
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        int garbage = 0;
        for (int i = 0; i < 600_000; i++) {
            if (i % 997 == 5) {
                file.write(new byte[] {'{', '"', (byte) 0xFF, 0, '"', '}', '\n'});
                garbage++;
                continue;
            }
            String user = prefix + random.nextInt(1000);
            long cents = random.nextInt(100_000);
            boolean add = random.nextBoolean();
            expected.merge(user, add ? cents : -cents, Long::sum);
            file.write(("{\"userId\":\"" + user + "\",\"name\":\"" + (add ? "add_revenue" : "subtract_revenue")
                    + "\",\"value\":" + BigDecimal.valueOf(cents, 2).toPlainString() + "}\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
        byte[] body = file.toByteArray();
        Map<String, String> env = Map.of("ETL_JOBS_LEASE_MS", "1500", "ETL_JOBS_POLL_MS", "100");
        Map<String, String> envB = Map.of("ETL_JOBS_LEASE_MS", "1500", "ETL_JOBS_POLL_MS", "100",
                "ETL_ROLES", "server,processor");
        AppProcess[] apps = {AppProcess.start(work, PORT_A, log, env), null};
        apps[1] = AppProcess.start(work, PORT_B, log, envB);
        try {
            String key = "import-crash-" + seed + "-" + System.nanoTime();
            HttpResponse<String> created = upload(PORT_A, body, key);
            assertEquals(202, created.statusCode(), created.body());
            String id = Http.JSON.readTree(created.body()).get("id").asText();

            for (int kill = 1; kill <= 2; kill++) {
                String owner = awaitRunningOwner(work, id, kill);
                long pid = Long.parseLong(owner.substring(0, owner.indexOf('@')));
                int which = apps[0].pid() == pid ? 0 : 1;
                assertEquals(pid, apps[which].pid(), "the job's owner is one of the two processes");
                Thread.sleep(random.nextInt(400));
                apps[which].kill9();
                System.out.println("ImportCrashIT kill " + kill + ": " + (which == 0 ? "A" : "B") + " (pid " + pid
                        + ") while it ran the import");
            }
            // both killed now (the second kill hit the process that had taken the job over); both started again
            apps[0] = AppProcess.start(work, PORT_A, log, env);
            apps[1] = AppProcess.start(work, PORT_B, log, envB);

            JsonNode done = null;
            long end = System.currentTimeMillis() + 180_000;
            while (System.currentTimeMillis() < end) {
                done = Http.JSON.readTree(get(PORT_B, "/imports/" + id));
                if ("completed".equals(done.get("status").asText()) || "failed".equals(done.get("status").asText())) {
                    break;
                }
                Thread.sleep(100);
            }
            assertEquals("completed", done.get("status").asText(), done.toString());
            assertEquals(3, done.get("attempts").asInt(), done.toString());
            assertEquals(600_000 - garbage, done.get("accepted").asLong(), done.toString());
            assertEquals(garbage, done.get("rejected").asLong(), done.toString());

            Waits.until("every total exact", 120_000, () -> diff(work, prefix, expected).isEmpty());
            HttpResponse<String> again = upload(PORT_A, body, key);
            assertEquals(202, again.statusCode());
            assertEquals(id, Http.JSON.readTree(again.body()).get("id").asText(), "the same job");
            Thread.sleep(1500);
            assertEquals("", diff(work, prefix, expected), "nothing applied twice");
        } finally {
            apps[0].close();
            apps[1].close();
            RestartTest.stopLeftoverPostgres(work.resolve("data/pg"));
        }
    }

    /** Waits until the import runs under a new attempt with part of the file read; returns its owner. */
    private static String awaitRunningOwner(Path work, String id, int attempt) throws Exception {
        String[] owner = {null};
        Waits.until("the import running (attempt " + attempt + "), part of it read", 60_000, () -> {
            try (Connection c = db(work); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT owner, done, total, attempts, status FROM etl_jobs WHERE id = '" + id + "'")) {
                if (!rs.next()) {
                    return false;
                }
                owner[0] = rs.getString(1);
                boolean midway = rs.getLong(2) > 0 && rs.getLong(2) < rs.getLong(3);
                assertTrue(!"completed".equals(rs.getString(5)), "the import finished before kill " + attempt
                        + "; make it larger");
                return "running".equals(rs.getString(5)) && rs.getInt(4) == attempt && midway;
            }
        });
        return owner[0];
    }

    private static String diff(Path work, String prefix, Map<String, Long> expected) throws Exception {
        Map<String, BigDecimal> got = new HashMap<>();
        try (Connection c = db(work); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT user_id, revenue FROM users_revenue WHERE user_id LIKE '" + prefix + "%'")) {
            while (rs.next()) {
                got.put(rs.getString(1), rs.getBigDecimal(2));
            }
        }
        StringBuilder d = new StringBuilder();
        for (var e : expected.entrySet()) {
            BigDecimal want = BigDecimal.valueOf(e.getValue(), 2);
            BigDecimal have = got.get(e.getKey());
            if (have == null || have.compareTo(want) != 0) {
                d.append(e.getKey()).append(": want ").append(want).append(" got ").append(have).append('\n');
            }
        }
        if (got.size() != expected.size()) {
            d.append(got.size()).append(" users, want ").append(expected.size());
        }
        return d.toString();
    }

    private static Connection db(Path work) throws Exception {
        int port = Integer.parseInt(Files.readAllLines(work.resolve("data/pg/postmaster.pid")).get(3).trim());
        return DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/postgres", "postgres", "");
    }

    private static HttpResponse<String> upload(int port, byte[] body, String key) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/imports"))
                .header("Authorization", "secret").header("Content-Type", "application/x-ndjson")
                .header("Idempotency-Key", key).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String get(int port, String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", "secret").timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
