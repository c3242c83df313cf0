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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import etl.kafka.EmbeddedKafka;

/**
 * Kafka mode with the broker outside the application (started by the test), stopped for a few seconds under load:
 * meanwhile the server answers 503 in JSON (after at most the acknowledgement timeout) and readiness is down; once
 * the broker is back, the same keyed requests sent again are accepted, the processor resumes, and every total is
 * exact: each event applied once, none lost. Requests of several events without a key, never sent again, are applied
 * whole when answered 200 and not at all when answered 503. The lag metric comes back to zero.
 */
class KafkaOutageIT {

    private static final int PORT = 18530;
    private static final int BROKER = 19420;
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void theBrokerStoppedUnderLoadGives503sAndNothingLost() throws Exception {
        Path work = Path.of("target", "kafka-outage-" + System.currentTimeMillis()).toAbsolutePath();
        Path log = Files.createDirectories(work).resolve("app.log");
        String u = "o" + Long.toString(System.nanoTime(), 36) + "-";
        EmbeddedKafka broker = EmbeddedKafka.start(work.resolve("broker"), BROKER);
        Map<String, Long> expected = new ConcurrentHashMap<>();
        AtomicInteger unavailable = new AtomicInteger();
        AtomicInteger other = new AtomicInteger();
        AtomicBoolean sending = new AtomicBoolean(true);
        try (AppProcess app = AppProcess.start(work, PORT, log, Map.of("ETL_KAFKA_BOOTSTRAP", "127.0.0.1:" + BROKER,
                "ETL_KAFKA_PARTITIONS", "3", "ETL_KAFKA_ACK_TIMEOUT_MS", "3000"))) {
            Thread sender = new Thread(() -> {
                for (int i = 0; sending.get(); i++) {
                    String user = u + (i % 10);
                    String body = "{\"userId\":\"" + user + "\",\"name\":\"add_revenue\",\"value\":1.25}";
                    // as a client should: the same key until the server says 200
                    while (true) {
                        int status = post(body, u + "req-" + i);
                        if (status == 200) {
                            expected.merge(user, 125L, Long::sum);
                            break;
                        }
                        if (status == 503 || status == UNKNOWN) {
                            unavailable.incrementAndGet();
                        } else {
                            other.incrementAndGet();
                        }
                        sleep(200);
                    }
                }
            });
            // requests of several events without a key, never sent again: a 503 must mean none of its events is
            // applied (a request partly acknowledged when the broker went away is aborted whole), a 200 all of them
            Map<String, Long> unkeyed = new ConcurrentHashMap<>();
            AtomicInteger unkeyed503 = new AtomicInteger();
            AtomicInteger unkeyedUnknown = new AtomicInteger();
            Thread once = new Thread(() -> {
                StringBuilder events = new StringBuilder("[");
                for (int k = 0; k < 6; k++) {
                    events.append(k == 0 ? "" : ",").append("{\"userId\":\"").append(u).append("w").append(k)
                            .append("\",\"name\":\"add_revenue\",\"value\":1}");
                }
                String body = events.append("]").toString();
                while (sending.get()) {
                    int status = post(body, null);
                    if (status == 200) {
                        for (int k = 0; k < 6; k++) {
                            unkeyed.merge(u + "w" + k, 100L, Long::sum);
                        }
                    } else if (status == 503) {
                        unkeyed503.incrementAndGet();
                        sleep(200);
                    } else if (status == UNKNOWN) {
                        unkeyedUnknown.incrementAndGet(); // applied whole or not at all: the check below allows both
                    } else {
                        other.incrementAndGet();
                    }
                }
            });
            sender.start();
            once.start();
            Thread.sleep(2000);
            broker.close();
            Waits.until("503 answers while the broker is down", 20_000, () -> unavailable.get() > 0);
            Waits.until("readiness down", 10_000, () -> ready() == 503);
            Thread.sleep(2000);
            broker = EmbeddedKafka.start(work.resolve("broker"), BROKER);
            Waits.until("readiness up again", 30_000, () -> ready() == 200);
            int before = expected.values().stream().mapToInt(Long::intValue).sum();
            Waits.until("requests accepted again", 30_000,
                    () -> expected.values().stream().mapToInt(Long::intValue).sum() > before + 1000);
            sending.set(false);
            sender.join(60_000);
            once.join(60_000);
            assertEquals(0, other.get(), "only 200 and 503 answers");
            Waits.until("every total exact", 60_000, () -> {
                for (var e : expected.entrySet()) {
                    HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create("http://localhost:" + PORT
                            + "/userEvents/" + e.getKey())).build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() != 200 || Http.JSON.readTree(r.body()).get("revenue").decimalValue()
                            .compareTo(BigDecimal.valueOf(e.getValue(), 2)) != 0) {
                        return false;
                    }
                }
                return true;
            });
            // each unkeyed request whole or not at all: the six users' totals equal; each 200 counted, each plain 503
            // not, each commit whose outcome was unknown once or not
            Waits.until("the unkeyed requests applied", 30_000, () -> revenue(u + "w0") >= unkeyed.getOrDefault(u + "w0", 0L));
            long w0 = revenue(u + "w0");
            for (int k = 1; k < 6; k++) {
                assertEquals(w0, revenue(u + "w" + k), "a request of six events applied in part");
            }
            long accepted = unkeyed.getOrDefault(u + "w0", 0L);
            assertTrue(w0 >= accepted && w0 <= accepted + 100L * unkeyedUnknown.get(), "unkeyed total " + w0
                    + ": " + accepted / 100 + " requests answered 200, " + unkeyedUnknown.get() + " of unknown outcome");
            Thread.sleep(1500); // nothing applied twice later either
            for (var e : expected.entrySet()) {
                HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create("http://localhost:" + PORT
                        + "/userEvents/" + e.getKey())).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(0, Http.JSON.readTree(r.body()).get("revenue").decimalValue()
                        .compareTo(BigDecimal.valueOf(e.getValue(), 2)), e.getKey());
            }
            Waits.until("the lag metric back to zero", 20_000, () -> {
                String metrics = CLIENT.send(HttpRequest.newBuilder(URI.create("http://localhost:" + (PORT + 1000)
                        + "/observe/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
                return metrics.contains("etl_kafka_lag{partition=\"2\"} 0.0")
                        && metrics.contains("etl_kafka_lag{partition=\"0\"} 0.0");
            });
            assertTrue(unavailable.get() > 0);
            System.out.println("KafkaOutageIT: " + unavailable.get() + " keyed and " + unkeyed503.get()
                    + " unkeyed answers 503 while the broker was down, " + unkeyedUnknown.get()
                    + " unkeyed of unknown outcome; " + unkeyed.getOrDefault(u + "w0", 0L) / 100
                    + " unkeyed requests of 6 events accepted, each applied whole, the 503s not at all");
        } finally {
            sending.set(false);
            broker.close();
            RestartTest.stopLeftoverPostgres(work.resolve("data/pg"));
        }
    }

    /** A 503 that says the outcome is unknown (the commit was asked and not answered in time). */
    private static final int UNKNOWN = 1503;

    /** A user's total in cents, 0 when none. */
    private static long revenue(String user) throws Exception {
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create("http://localhost:" + PORT
                + "/userEvents/" + user)).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() != 200 ? 0
                : Http.JSON.readTree(r.body()).get("revenue").decimalValue().movePointRight(2).longValueExact();
    }

    private static int ready() throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://localhost:" + (PORT + 1000)
                + "/observe/health/ready")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private static int post(String body, String key) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + PORT + "/liveEvent"))
                    .header("Authorization", "secret").timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString(body));
            if (key != null) {
                b.header("Idempotency-Key", key);
            }
            HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 503) {
                assertTrue(r.body().contains("\"error\""), r.body());
                if (r.body().contains("unknown")) {
                    return UNKNOWN;
                }
            }
            return r.statusCode();
        } catch (Exception e) {
            System.out.println("KafkaOutageIT: no answer: " + e);
            return -1;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
