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
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/**
 * Kafka mode on the packaged jar with its embedded broker (ETL_KAFKA_BOOTSTRAP=embedded): events in every form and
 * an inbox file go through the topic to PostgreSQL; keyed re-sends count once (before and after they were applied);
 * kill -9 of the process (broker included) and a restart on the same data: nothing lost, nothing counted twice.
 */
class KafkaModeIT {

    private static final int PORT = 18520;
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void eventsGoThroughTheTopicExactlyOnceThroughAKill() throws Exception {
        Path work = Path.of("target", "kafka-mode-" + System.currentTimeMillis()).toAbsolutePath();
        Path log = Files.createDirectories(work).resolve("app.log");
        Map<String, String> env = Map.of("ETL_KAFKA_BOOTSTRAP", "embedded", "ETL_KAFKA_EMBEDDED_PORT", "19310",
                "ETL_KAFKA_PARTITIONS", "4");
        String u = "k" + Long.toString(System.nanoTime(), 36) + "-";
        Map<String, Long> expected = new HashMap<>();
        Random random = new Random(5);
        AppProcess app = AppProcess.start(work, PORT, log, env);
        try {
            for (int i = 0; i < 100; i++) {
                String user = u + random.nextInt(10);
                long cents = random.nextInt(10_000);
                assertEquals(200, post(event(user, "add_revenue", cents), null).statusCode());
                expected.merge(user, cents, Long::sum);
            }
            HttpResponse<String> array = post("[" + event(u + "a", "add_revenue", 150) + ","
                    + event(u + "b", "subtract_revenue", 25) + "]", "order-" + u);
            assertEquals(200, array.statusCode(), array.body());
            assertEquals(200, post("[" + event(u + "a", "add_revenue", 150) + "]", "order-" + u).statusCode(),
                    "a re-send before it was applied");
            expected.merge(u + "a", 150L, Long::sum);
            expected.merge(u + "b", -25L, Long::sum);
            StringBuilder file = new StringBuilder();
            for (int i = 0; i < 10_000; i++) {
                String user = u + "f" + random.nextInt(20);
                long cents = random.nextInt(5000);
                file.append(event(user, "add_revenue", cents)).append('\n');
                expected.merge(user, cents, Long::sum);
            }
            Files.createDirectories(work.resolve("inbox"));
            Files.writeString(work.resolve("f.part"), file);
            Files.move(work.resolve("f.part"), work.resolve("inbox/f.jsonl"));
            awaitTotals(expected);
            // the JIT's warm-up left out the outbox's reader, which Kafka mode's processor does not use
            assertTrue(Files.readString(log).contains("JIT warm-up: 100000 synthetic events through the client's (100000"
                    + " lines), the server's (100000) and the processor's (0) parsers"), "the warm-up's log line");
            JsonNode repeat = Http.JSON.readTree(post(event(u + "a", "add_revenue", 150), "order-" + u).body());
            assertTrue(repeat.path("duplicate").asBoolean(), "a repeat after it was applied: " + repeat);

            // a total the database refuses (beyond NUMERIC(20,2)): that event set aside, the partition goes on
            String poison = u + "poison";
            assertEquals(200, post("{\"userId\":\"" + poison + "\",\"name\":\"add_revenue\",\"value\":"
                    + "999999999999999999}", null).statusCode());
            Waits.until("the poisoned user at the maximum", 30_000, () -> CLIENT.send(HttpRequest.newBuilder(
                    URI.create("http://localhost:" + PORT + "/userEvents/" + poison)).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
            assertEquals(200, post("[" + event(poison, "add_revenue", 500) + "," + event(u + "by", "add_revenue", 700)
                    + "]", null).statusCode());
            for (int i = 0; i < 20; i++) {
                assertEquals(200, post(event(u + "by", "add_revenue", 100), null).statusCode());
            }
            expected.merge(u + "by", 2700L, Long::sum);
            awaitTotals(expected);
            Waits.until("the refused event in outbox/.rejected/", 10_000, () -> {
                try (var files = Files.list(work.resolve("outbox/.rejected"))) {
                    return files.anyMatch(f -> f.getFileName().toString().startsWith("kafka-")
                            && readQuietly(f).contains(poison) && readQuietly(f).contains("22003"));
                } catch (java.nio.file.NoSuchFileException e) {
                    return false;
                }
            });
            assertEquals(0, new BigDecimal("999999999999999999").compareTo(Http.JSON.readTree(CLIENT.send(
                    HttpRequest.newBuilder(URI.create("http://localhost:" + PORT + "/userEvents/" + poison)).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).get("revenue").decimalValue()));
        } finally {
            app.kill9();
        }
        try (AppProcess again = AppProcess.start(work, PORT, log, env)) {
            assertEquals(200, post("[" + event(u + "a", "add_revenue", 150) + "]", "order-" + u).statusCode());
            for (int i = 0; i < 50; i++) {
                assertEquals(200, post(event(u + "after", "add_revenue", 100), null).statusCode());
            }
            expected.merge(u + "after", 5000L, Long::sum);
            awaitTotals(expected);
            Thread.sleep(1500);
            awaitTotals(expected);
        } finally {
            RestartTest.stopLeftoverPostgres(work.resolve("data/pg"));
        }
    }

    private static void awaitTotals(Map<String, Long> expected) throws Exception {
        String[] last = {""};
        try {
            Waits.until("every total applied through Kafka", 90_000, () -> {
                for (var e : expected.entrySet()) {
                    HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create("http://localhost:" + PORT
                            + "/userEvents/" + e.getKey())).build(), HttpResponse.BodyHandlers.ofString());
                    BigDecimal want = BigDecimal.valueOf(e.getValue(), 2);
                    if (r.statusCode() != 200
                            || Http.JSON.readTree(r.body()).get("revenue").decimalValue().compareTo(want) != 0) {
                        last[0] = e.getKey() + ": want " + want + ", " + r.body();
                        return false;
                    }
                }
                return true;
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; " + last[0]);
        }
    }

    private static String readQuietly(Path f) {
        try {
            return Files.readString(f);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    private static String event(String user, String name, long cents) {
        return "{\"userId\":\"" + user + "\",\"name\":\"" + name + "\",\"value\":"
                + BigDecimal.valueOf(cents, 2).toPlainString() + "}";
    }

    private static HttpResponse<String> post(String body, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + PORT + "/liveEvent"))
                .header("Authorization", "secret").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("Idempotency-Key", key);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
