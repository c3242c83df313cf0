package etl.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * The process is killed with kill -9 in the middle of a large inbox file, and after acknowledging requests, then
 * started again: every total is exact, nothing lost and nothing counted twice.
 */
class RestartTest {

    private static final int PORT = 18090;
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @Test
    void killedMidFileAndAfterAcknowledgingThenRestartedGivesExactTotals() throws Exception {
        Path work = Path.of("target", "restart-" + System.currentTimeMillis()).toAbsolutePath();
        Path log = Files.createDirectories(work).resolve("app.log");
        String prefix = "r" + Long.toString(System.nanoTime(), 36) + "-";
        Map<String, Long> expected = new HashMap<>();

        // 120,000 lines over 100 users
        Random random = new Random(42);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 120_000; i++) {
            String user = prefix + (i % 100);
            long cents = 1 + random.nextInt(100_000);
            boolean add = random.nextBoolean();
            expected.merge(user, add ? cents : -cents, Long::sum);
            sb.append("{\"userId\":\"").append(user).append("\",\"name\":\"").append(add ? "add_revenue" : "subtract_revenue")
                    .append("\",\"value\":").append(new BigDecimal(cents).movePointLeft(2).toPlainString()).append("}\n");
        }
        Path tmp = work.resolve("big.part");
        Files.writeString(tmp, sb);

        AppProcess first = AppProcess.start(work, PORT, log, Map.of());
        try {
            // acknowledged single requests, then kill -9 right away: none may be lost
            for (int i = 0; i < 20; i++) {
                String user = prefix + "ack";
                assertEquals(200, post("{\"userId\":\"" + user + "\",\"name\":\"add_revenue\",\"value\":1.25}"));
                expected.merge(user, 125L, Long::sum);
            }
            Files.createDirectories(work.resolve("inbox"));
            Files.move(tmp, work.resolve("inbox/big.jsonl"), StandardCopyOption.ATOMIC_MOVE);
            // wait until the file is partly applied, then kill
            Waits.until("part of the file applied", 30_000, () -> get(prefix + "0") != null);
            assertTrue(Files.exists(work.resolve("inbox/big.jsonl")), "the file finished before the kill; make it larger");
        } finally {
            first.kill9();
        }

        try (AppProcess second = AppProcess.start(work, PORT, log, Map.of())) {
            Waits.until("the file in .done", 120_000, () -> Files.exists(work.resolve("inbox/.done/big.jsonl")));
            Waits.until("the outbox drained", 30_000, () -> {
                try (var s = Files.list(work.resolve("outbox"))) {
                    return s.noneMatch(p -> p.getFileName().toString().endsWith(".jsonl"));
                }
            });
            StringBuilder diff = new StringBuilder();
            for (Map.Entry<String, Long> e : expected.entrySet()) {
                BigDecimal got = get(e.getKey());
                BigDecimal want = new BigDecimal(e.getValue()).movePointLeft(2);
                if (got == null || got.compareTo(want) != 0) {
                    diff.append(e.getKey()).append(": want ").append(want).append(" got ").append(got).append('\n');
                }
            }
            assertEquals("", diff.toString(), "totals differ after kill -9 and restart");
        } finally {
            stopLeftoverPostgres(work.resolve("data/pg"));
        }
    }

    /** When the test fails before the second process stops it, the embedded server of the killed one is left. */
    static void stopLeftoverPostgres(Path dataDir) {
        try {
            long pid = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
        } catch (Exception e) {
            // stopped already
        }
    }

    private static int post(String body) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create("http://localhost:" + PORT + "/liveEvent"))
                .header("Authorization", "secret").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return CLIENT.send(r, HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private static BigDecimal get(String user) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create("http://localhost:" + PORT + "/userEvents/" + user)).build();
        HttpResponse<String> resp = CLIENT.send(r, HttpResponse.BodyHandlers.ofString());
        return resp.statusCode() == 200 ? Http.JSON.readTree(resp.body()).get("revenue").decimalValue() : null;
    }
}
