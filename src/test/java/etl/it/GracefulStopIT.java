package etl.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/**
 * SIGTERM under load: the process stops taking requests, finishes what is in flight and exits within a bounded time;
 * nothing it acknowledged is lost (after a restart every 200 is applied).
 */
class GracefulStopIT {

    private static final int PORT = 18730;
    private static final int SENDERS = 8;

    @Test
    void sigtermUnderLoadLosesNothingAcknowledged() throws Exception {
        Path work = Path.of("target", "graceful-" + System.currentTimeMillis()).toAbsolutePath();
        Path log = Files.createDirectories(work).resolve("app.log");
        String user = "graceful-" + System.nanoTime();
        AtomicLong acknowledged = new AtomicLong();
        AtomicBoolean sending = new AtomicBoolean(true);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        AppProcess app = AppProcess.start(work, PORT, log, Map.of());
        try {
            List<Thread> senders = new ArrayList<>();
            for (int i = 0; i < SENDERS; i++) {
                Thread t = new Thread(() -> {
                    while (sending.get()) {
                        try {
                            HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                                    URI.create("http://localhost:" + PORT + "/liveEvent"))
                                    .timeout(Duration.ofSeconds(20)).header("Authorization", "secret")
                                    .POST(HttpRequest.BodyPublishers.ofString("{\"userId\":\"" + user
                                            + "\",\"name\":\"add_revenue\",\"value\":1}")).build(),
                                    HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() == 200) {
                                acknowledged.incrementAndGet();
                            }
                        } catch (Exception e) {
                            return; // the server has stopped listening
                        }
                    }
                });
                t.start();
                senders.add(t);
            }
            Thread.sleep(2000);
            long t0 = System.nanoTime();
            app.close(); // SIGTERM, waits for the exit
            long stopMillis = (System.nanoTime() - t0) / 1_000_000;
            sending.set(false);
            for (Thread t : senders) {
                t.join(30_000);
            }
            assertTrue(stopMillis < 10_000, "the process took " + stopMillis + " ms to stop");
            assertTrue(acknowledged.get() > 100, "only " + acknowledged.get() + " requests before the stop");

            try (AppProcess again = AppProcess.start(work, PORT, log, Map.of())) {
                Waits.until("the outbox drained", 30_000, () -> {
                    try (var s = Files.list(work.resolve("outbox"))) {
                        return s.noneMatch(p -> p.getFileName().toString().endsWith(".jsonl"));
                    }
                });
                Thread.sleep(500);
                long applied = total(work, user);
                // every 200 is applied; a request cut by the stop may have been spooled without its answer arriving
                assertTrue(applied >= acknowledged.get() && applied <= acknowledged.get() + SENDERS,
                        "acknowledged " + acknowledged.get() + ", applied " + applied);
                System.out.println("GracefulStopIT: stopped in " + stopMillis + " ms; acknowledged "
                        + acknowledged.get() + ", applied " + applied);
            }
        } finally {
            sending.set(false);
            RestartTest.stopLeftoverPostgres(work.resolve("data/pg"));
        }
    }

    private static long total(Path work, String user) throws Exception {
        int port = Integer.parseInt(Files.readAllLines(work.resolve("data/pg/postmaster.pid")).get(3).trim());
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/postgres", "postgres", "");
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT revenue FROM users_revenue WHERE user_id = '" + user + "'")) {
            return rs.next() ? rs.getBigDecimal(1).longValueExact() : 0;
        }
    }
}
