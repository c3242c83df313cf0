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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import etl.kafka.EmbeddedKafka;

/**
 * Kafka mode's crash test: a broker (in the test JVM), one server with the inbox client, three processors in one
 * consumer group on the packaged jar; keyed requests (some sent twice), generated garbage bodies and inbox files go in
 * while processors are killed with kill -9 at seeded random moments and started again (partitions reassigned each
 * time), and every fourth kill is the server's (mid-transaction: the restarted server aborts what it left open). Every total ends exact: nothing lost, nothing counted twice. {@code -Dcrash.seed=N} replays a run,
 * {@code -Dkafka.kills=K} sets the number of kills (10).
 */
class KafkaCrashIT {

    private static final int PORT = 18540;
    private static final int BROKER = 19440;
    private static final int USERS = 300;
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Map<String, Long> expected = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger acknowledged = new AtomicInteger();
    private final AtomicInteger resent = new AtomicInteger();
    private final AtomicInteger garbageAccepted = new AtomicInteger();
    private final AtomicInteger garbageRefused = new AtomicInteger();
    private final List<Throwable> failures = new ArrayList<>();
    private int serverKills;

    @Test
    void everyTotalExactThroughKillsOfProcessorsAndTheServer() throws Exception {
        long seed = Long.getLong("crash.seed", System.currentTimeMillis());
        int kills = Integer.getInteger("kafka.kills", 10);
        System.out.println("KafkaCrashIT seed=" + seed + " kills=" + kills + " (replay: -Dcrash.seed=" + seed + ")");
        Path work = Path.of("target", "kafka-crash-" + seed + "-" + System.currentTimeMillis()).toAbsolutePath();
        Path log = Files.createDirectories(work).resolve("app.log");
        String prefix = "kc" + Long.toString(seed, 36) + "-";
        String bootstrap = "127.0.0.1:" + BROKER;
        EmbeddedKafka broker = EmbeddedKafka.start(work.resolve("broker"), BROKER);
        Map<String, String> serverEnv = Map.of("ETL_KAFKA_BOOTSTRAP", bootstrap, "ETL_KAFKA_PARTITIONS", "6",
                "ETL_ROLES", "server,client");
        Map<String, String> processorEnv = Map.of("ETL_KAFKA_BOOTSTRAP", bootstrap, "ETL_ROLES", "processor");
        AppProcess server = AppProcess.start(work, PORT, log, serverEnv);
        AppProcess[] processors = new AppProcess[3];
        for (int i = 0; i < 3; i++) {
            processors[i] = AppProcess.launch(work, PORT + 10 + i, log, processorEnv);
        }
        List<Thread> threads = new ArrayList<>();
        try {
            for (int t = 0; t < 2; t++) {
                Random r = new Random(seed * 31 + t);
                int sender = t;
                threads.add(start(() -> send(r, prefix, seed, sender)));
            }
            Random gr = new Random(seed * 31 + 300);
            threads.add(start(() -> sendGarbage(gr, prefix, seed)));
            Random fr = new Random(seed * 31 + 100);
            threads.add(start(() -> drop(fr, prefix, work)));

            Random kr = new Random(seed * 31 + 200);
            for (int k = 1; k <= kills; k++) {
                Thread.sleep(800 + kr.nextInt(2200));
                if (k % 4 == 0) {
                    // the server, mid-group: its open transaction is aborted by the restarted server (the same
                    // transactional id), its callers send again with their keys, the inbox client resumes its files
                    server.kill9();
                    serverKills++;
                    System.out.println("KafkaCrashIT kill " + k + ": the server after " + acknowledged.get()
                            + " acknowledged requests");
                    Thread.sleep(kr.nextInt(600));
                    server = AppProcess.start(work, PORT, log, serverEnv);
                    continue;
                }
                int which = kr.nextInt(3);
                processors[which].kill9();
                System.out.println("KafkaCrashIT kill " + k + ": processor " + which + " after " + acknowledged.get()
                        + " acknowledged requests");
                Thread.sleep(kr.nextInt(600));
                processors[which] = AppProcess.launch(work, PORT + 10 + which, log, processorEnv);
            }
            running.set(false);
            for (Thread t : threads) {
                t.join(120_000);
            }
            synchronized (failures) {
                if (!failures.isEmpty()) {
                    throw new AssertionError("a sender or the dropper failed", failures.get(0));
                }
            }
            Waits.until("every inbox file in .done", 120_000, () -> {
                try (var s = Files.list(work.resolve("inbox"))) {
                    return s.noneMatch(p -> p.getFileName().toString().endsWith(".jsonl"));
                }
            });
            String[] diff = {""};
            try {
                Waits.until("every total exact", 180_000, () -> (diff[0] = diff(work, prefix)).isEmpty());
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + ": " + diff[0]);
            }
            Thread.sleep(2000);
            assertEquals("", diff(work, prefix), "still exact two seconds later");
            assertTrue(acknowledged.get() > 0 && garbageRefused.get() > 0);
            System.out.println("KafkaCrashIT: " + kills + " kills (" + serverKills + " of the server, the others of"
                    + " processors), " + acknowledged.get()
                    + " acknowledged requests (" + resent.get() + " sent again), " + garbageAccepted.get()
                    + " garbage bodies accepted and " + garbageRefused.get() + " refused, " + expected.size()
                    + " users, every total exact");
        } finally {
            running.set(false);
            for (AppProcess p : processors) {
                p.close();
            }
            server.close();
            broker.close();
            RestartTest.stopLeftoverPostgres(work.resolve("data/pg"));
        }
    }

    private Thread start(ThrowingRunnable r) {
        Thread t = new Thread(() -> {
            try {
                r.run();
            } catch (Throwable e) {
                synchronized (failures) {
                    failures.add(e);
                }
            }
        });
        t.start();
        return t;
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }

    private void send(Random r, String prefix, long seed, int sender) throws Exception {
        int n = 0;
        while (running.get()) {
            String key = "kcrash-" + seed + "-" + sender + "-" + (n++);
            Map<String, Long> request = new HashMap<>();
            StringBuilder body = new StringBuilder("[");
            int events = 1 + r.nextInt(30);
            for (int i = 0; i < events; i++) {
                String user = prefix + r.nextInt(USERS);
                long cents = r.nextInt(100_000);
                boolean add = r.nextInt(3) != 0;
                request.merge(user, add ? cents : -cents, Long::sum);
                body.append(i == 0 ? "" : ",").append("{\"userId\":\"").append(user).append("\",\"name\":\"")
                        .append(add ? "add_revenue" : "subtract_revenue").append("\",\"value\":")
                        .append(BigDecimal.valueOf(cents, 2).toPlainString()).append('}');
            }
            byte[] bytes = body.append(']').toString().getBytes(StandardCharsets.UTF_8);
            int status = sendUntilAnswered(key, bytes, "application/json");
            if (status != 200) {
                throw new AssertionError("request " + key + " answered " + status);
            }
            request.forEach((u, c) -> expected.merge(u, c, Long::sum));
            acknowledged.incrementAndGet();
            if (r.nextInt(4) == 0) {
                assertEquals(200, sendUntilAnswered(key, bytes, "application/json"), "a keyed re-send");
                resent.incrementAndGet();
            }
            Thread.sleep(r.nextInt(20));
        }
    }

    private void sendGarbage(Random r, String prefix, long seed) throws Exception {
        int n = 0;
        while (running.get()) {
            String user = prefix + "g" + n;
            String key = "kcrash-garbage-" + seed + "-" + (n++);
            String value = r.nextInt(100_000) + (r.nextBoolean() ? "" : "." + r.nextInt(10) + r.nextInt(10));
            byte[] body = HostileBodyTest.Generated.body(r, user, value);
            int status = sendUntilAnswered(key, body, r.nextBoolean() ? "application/x-ndjson" : "application/json");
            if (status == 200) {
                expected.merge(user, new BigDecimal(value).movePointRight(2).longValueExact(), Long::sum);
                garbageAccepted.incrementAndGet();
            } else if (status == 400) {
                garbageRefused.incrementAndGet();
            } else {
                throw new AssertionError("garbage body " + key + " answered " + status);
            }
            Thread.sleep(r.nextInt(30));
        }
    }

    /** Inbox files of valid lines and a few bad ones, dropped by a move; the server's client posts them. */
    private void drop(Random r, String prefix, Path work) throws Exception {
        Files.createDirectories(work.resolve("inbox"));
        int f = 0;
        while (running.get() && f < 4) {
            Thread.sleep(1000 + r.nextInt(3000));
            int lines = 2_000 + r.nextInt(8_001);
            ByteArrayOutputStream out = new ByteArrayOutputStream(lines * 70);
            Map<String, Long> file = new HashMap<>();
            for (int i = 0; i < lines; i++) {
                String user = prefix + r.nextInt(USERS);
                long cents = r.nextInt(100_000);
                if (r.nextInt(100) == 0) {
                    out.writeBytes(new byte[] {'{', '"', (byte) 0xFF, 0, '"', '}', '\n'});
                    continue;
                }
                file.merge(user, cents, Long::sum);
                out.writeBytes(("{\"userId\":\"" + user + "\",\"name\":\"add_revenue\",\"value\":"
                        + BigDecimal.valueOf(cents, 2).toPlainString() + "}\n").getBytes(StandardCharsets.UTF_8));
            }
            Path tmp = work.resolve("drop-" + f + ".part");
            Files.write(tmp, out.toByteArray());
            Files.move(tmp, work.resolve("inbox").resolve("drop-" + (f++) + ".jsonl"));
            file.forEach((u, c) -> expected.merge(u, c, Long::sum));
        }
    }

    private static int sendUntilAnswered(String key, byte[] body, String type) throws Exception {
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            try {
                HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create("http://localhost:" + PORT
                        + "/liveEvent")).header("Authorization", "secret").header("Idempotency-Key", key)
                        .header("Content-Type", type).timeout(Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() < 500) {
                    return r.statusCode();
                }
            } catch (java.io.IOException e) {
                // not answered: the same request again
            }
            Thread.sleep(200);
        }
        throw new AssertionError("request " + key + " not answered within two minutes");
    }

    private String diff(Path work, String prefix) throws Exception {
        Map<String, BigDecimal> got = new HashMap<>();
        int port = Integer.parseInt(Files.readAllLines(work.resolve("data/pg/postmaster.pid")).get(3).trim());
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/postgres",
                "postgres", ""); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                        "SELECT user_id, revenue FROM users_revenue WHERE user_id LIKE '" + prefix + "%'")) {
            while (rs.next()) {
                got.put(rs.getString(1), rs.getBigDecimal(2));
            }
        }
        StringBuilder d = new StringBuilder();
        for (var e : expected.entrySet()) {
            BigDecimal want = BigDecimal.valueOf(e.getValue(), 2);
            if (got.get(e.getKey()) == null || got.get(e.getKey()).compareTo(want) != 0) {
                d.append(e.getKey()).append(" want ").append(want).append(" got ").append(got.get(e.getKey()))
                        .append("; ");
                if (d.length() > 500) {
                    break;
                }
            }
        }
        if (got.size() != expected.size()) {
            d.append(got.size()).append(" users, want ").append(expected.size());
        }
        return d.toString();
    }
}
