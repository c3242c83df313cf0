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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * PostgreSQL stops in the middle of a run for several seconds: the server keeps answering 200 into the outbox, the
 * processor waits and catches up when the database is back, and every total is exact.
 */
class OutageIT {

    private static final int APP_PORT = 18710;
    private static final int PG_PORT = 18790;
    private static final int MANAGEMENT_PORT = 18711;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void serverKeepsAcceptingWhileTheDatabaseIsDownAndTheProcessorCatchesUp() throws Exception {
        Path work = Path.of("target", "outage-" + System.currentTimeMillis()).toAbsolutePath();
        Path pgData = work.resolve("pg");
        Path log = Files.createDirectories(work).resolve("app.log");
        Map<String, Long> expected = new ConcurrentHashMap<>();
        AtomicBoolean sending = new AtomicBoolean(true);
        AtomicInteger duringOutage = new AtomicInteger();
        AtomicBoolean down = new AtomicBoolean(false);
        AtomicReference<Throwable> failure = new AtomicReference<>();

        EmbeddedPostgres pg = startPg(pgData);
        AppProcess app = AppProcess.start(work, APP_PORT, log, Map.of(
                "ETL_DB_URL", "jdbc:postgresql://localhost:" + PG_PORT + "/postgres",
                "ETL_DB_USER", "postgres", "ETL_DB_CONNECT_TIMEOUT_MS", "1000",
                "ETL_PROCESSOR_RETRY_MAX_MS", "2000", "ETL_MANAGEMENT_PORT", Integer.toString(MANAGEMENT_PORT)));
        try {
            Thread sender = new Thread(() -> {
                Random r = new Random(7);
                int n = 0;
                try {
                    while (sending.get()) {
                        String user = "outage-" + r.nextInt(20);
                        long cents = r.nextInt(10_000);
                        HttpRequest.Builder b = HttpRequest.newBuilder(
                                URI.create("http://localhost:" + APP_PORT + "/liveEvent"))
                                .timeout(Duration.ofSeconds(20)).header("Authorization", "secret")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"userId\":\"" + user
                                        + "\",\"name\":\"add_revenue\",\"value\":"
                                        + new BigDecimal(cents).movePointLeft(2).toPlainString() + "}"));
                        if (n % 2 == 0) {
                            b.header("Idempotency-Key", "outage-" + n);
                        }
                        HttpResponse<String> resp = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
                        assertEquals(200, resp.statusCode(), resp.body());
                        expected.merge(user, cents, Long::sum);
                        if (down.get()) {
                            duringOutage.incrementAndGet();
                        }
                        n++;
                        Thread.sleep(10);
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            sender.start();
            Thread.sleep(2000);

            assertEquals(200, ready(), "ready before the outage");
            pg.close();
            down.set(true);
            Thread.sleep(3000);
            assertEquals(503, ready(), "ready while PostgreSQL is down");
            Thread.sleep(3000);
            down.set(false);
            pg = startPg(pgData);
            Waits.until("ready after the outage", 20_000, () -> ready() == 200);
            sending.set(false);
            sender.join(30_000);
            if (failure.get() != null) {
                throw new AssertionError("a request was not answered 200", failure.get());
            }
            assertTrue(duringOutage.get() > 10, "only " + duringOutage.get() + " requests while the database was down");

            Waits.until("the outbox drained", 60_000, () -> {
                try (var s = Files.list(work.resolve("outbox"))) {
                    return s.noneMatch(p -> p.getFileName().toString().endsWith(".jsonl"));
                }
            });
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://localhost:" + PG_PORT + "/postgres",
                    "postgres", ""); Statement st = c.createStatement()) {
                for (Map.Entry<String, Long> e : expected.entrySet()) {
                    try (ResultSet rs = st.executeQuery("SELECT revenue FROM users_revenue WHERE user_id = '"
                            + e.getKey() + "'")) {
                        assertTrue(rs.next(), e.getKey() + " missing");
                        assertEquals(0, new BigDecimal(e.getValue()).movePointLeft(2).compareTo(rs.getBigDecimal(1)),
                                e.getKey());
                    }
                }
            }
            System.out.println("OutageIT: " + duringOutage.get() + " requests accepted while PostgreSQL was down;"
                    + " totals exact");
        } finally {
            app.close();
            pg.close();
        }
    }

    private static int ready() throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + MANAGEMENT_PORT
                + "/observe/health/ready")).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    /** Never "clean": zonky deletes a clean data folder when it stops, and the restart would find an empty database. */
    private static EmbeddedPostgres startPg(Path dir) throws java.io.IOException {
        return EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(false).setPort(PG_PORT).start();
    }
}
