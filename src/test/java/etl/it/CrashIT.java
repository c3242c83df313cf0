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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/**
 * Exactly once through kill -9, proven on the packaged jar. Two processes share one outbox and one database: A runs
 * every role (it also reads the inbox), B runs server and processor. For a bounded time, senders POST chunks with an
 * Idempotency-Key each and re-send the same chunk until it is answered 200 (to either process), files of 5,000 to
 * 50,000 lines (some invalid) are dropped into the inbox, and A or B is killed with SIGKILL at random moments and
 * started again. Then every user's total must equal the totals computed here from what was acknowledged.
 * <p>
 * {@code -Dcrash.seed=N} replays the random choices (printed at the start), {@code -Dcrash.kills=K} sets the number
 * of kills (default 12).
 */
class CrashIT {

    private static final int PORT_A = 18701;
    private static final int PORT_B = 18702;
    private static final int USERS = 300;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Map<String, Long> expectedCents = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final List<String> dropped = new ArrayList<>();
    private final List<Throwable> failures = new ArrayList<>();

    @Test
    void everyAcknowledgedEventIsAppliedExactlyOnceThroughKills() throws Exception {
        long seed = Long.getLong("crash.seed", System.currentTimeMillis());
        int kills = Integer.getInteger("crash.kills", 12);
        System.out.println("CrashIT seed=" + seed + " kills=" + kills + " (replay: -Dcrash.seed=" + seed + ")");
        Path work = Path.of("target", "crash-" + seed).toAbsolutePath();
        Path log = Files.createDirectories(work).resolve("app.log");
        String prefix = "c" + Long.toString(seed, 36) + "-";
        Map<String, String> envA = Map.of();
        Map<String, String> envB = Map.of("ETL_ROLES", "server,processor");

        AppProcess[] apps = {AppProcess.start(work, PORT_A, log, envA), null};
        apps[1] = AppProcess.start(work, PORT_B, log, envB);
        List<Thread> threads = new ArrayList<>();
        try {
            for (int t = 0; t < 3; t++) {
                Random r = new Random(seed * 31 + t);
                int sender = t;
                threads.add(start("sender-" + t, () -> send(r, prefix, seed, sender)));
            }
            Random fr = new Random(seed * 31 + 100);
            threads.add(start("dropper", () -> drop(fr, prefix, work)));

            Random kr = new Random(seed * 31 + 200);
            for (int k = 1; k <= kills; k++) {
                Thread.sleep(800 + kr.nextInt(2200));
                int which = kr.nextInt(2);
                apps[which].kill9();
                System.out.println("CrashIT kill " + k + ": " + (which == 0 ? "A" : "B") + " after "
                        + acknowledged.get() + " acknowledged requests");
                Thread.sleep(kr.nextInt(600));
                apps[which] = AppProcess.start(work, which == 0 ? PORT_A : PORT_B, log, which == 0 ? envA : envB);
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

            Waits.until("every dropped file in inbox/.done", 300_000, () -> dropped.stream()
                    .allMatch(f -> Files.exists(work.resolve("inbox/.done").resolve(f))));
            Waits.until("the outbox drained", 120_000, () -> {
                try (var s = Files.list(work.resolve("outbox"))) {
                    return s.noneMatch(p -> p.getFileName().toString().endsWith(".jsonl"));
                }
            });
            compare(work, prefix);
            System.out.println("CrashIT seed=" + seed + ": " + kills + " kills, " + acknowledged.get()
                    + " acknowledged requests (" + retries.get() + " re-sends), " + dropped.size()
                    + " files, " + expectedCents.size() + " users: every total exact");
        } finally {
            running.set(false);
            for (AppProcess a : apps) {
                if (a != null) {
                    a.close();
                }
            }
            RestartTest.stopLeftoverPostgres(work.resolve("data/pg"));
        }
    }

    private Thread start(String name, ThrowingRunnable body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                synchronized (failures) {
                    failures.add(e);
                }
                running.set(false);
            }
        }, name);
        t.start();
        return t;
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** POSTs chunks with a unique key; re-sends the same chunk with the same key until a 200. */
    private void send(Random r, String prefix, long seed, int sender) throws Exception {
        int n = 0;
        while (running.get()) {
            String key = "crash-" + seed + "-" + sender + "-" + (n++);
            Map<String, Long> chunk = new TreeMap<>();
            StringBuilder body = new StringBuilder("[");
            int events = 1 + r.nextInt(40);
            for (int i = 0; i < events; i++) {
                String user = prefix + r.nextInt(USERS);
                long cents = r.nextInt(100_000);
                boolean add = r.nextInt(3) != 0;
                chunk.merge(user, add ? cents : -cents, Long::sum);
                body.append(i == 0 ? "" : ",").append(event(user, add, cents));
            }
            body.append(']');
            long deadline = System.currentTimeMillis() + 120_000;
            while (true) {
                int port = r.nextBoolean() ? PORT_A : PORT_B;
                int status;
                try {
                    HttpRequest req = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/liveEvent"))
                            .timeout(Duration.ofSeconds(10))
                            .header("Authorization", "secret").header("Idempotency-Key", key)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
                    status = HTTP.send(req, HttpResponse.BodyHandlers.ofString()).statusCode();
                } catch (java.io.IOException e) {
                    status = -1; // refused or cut by a kill: send it again
                }
                if (status == 200) {
                    break;
                }
                if (status != -1 && status < 500 && status != 404) {
                    throw new AssertionError("request " + key + " answered " + status);
                }
                if (System.currentTimeMillis() > deadline) {
                    throw new AssertionError("request " + key + " never acknowledged");
                }
                retries.incrementAndGet();
                Thread.sleep(50);
            }
            chunk.forEach((u, c) -> expectedCents.merge(u, c, Long::sum));
            acknowledged.incrementAndGet();
            Thread.sleep(r.nextInt(20));
        }
    }

    /** Drops inbox files of 5,000 to 50,000 lines, about 1% of them invalid. */
    private void drop(Random r, String prefix, Path work) throws Exception {
        Files.createDirectories(work.resolve("inbox"));
        int f = 0;
        while (running.get() && f < 8) {
            Thread.sleep(1000 + r.nextInt(3000));
            int lines = 5_000 + r.nextInt(45_001);
            StringBuilder sb = new StringBuilder(lines * 70);
            Map<String, Long> file = new TreeMap<>();
            for (int i = 0; i < lines; i++) {
                String user = prefix + r.nextInt(USERS);
                long cents = r.nextInt(100_000);
                boolean add = r.nextBoolean();
                int bad = r.nextInt(100);
                if (bad == 0) {
                    sb.append("{\"userId\":\"").append(user).append("\",\"name\":\"add_revenue\",\"value\":\"5\"}\n");
                } else if (bad == 1) {
                    sb.append("not json at all\n");
                } else {
                    file.merge(user, add ? cents : -cents, Long::sum);
                    sb.append(event(user, add, cents)).append('\n');
                }
            }
            String name = "crash-" + (f++) + ".jsonl";
            Path tmp = work.resolve(name + ".part");
            Files.writeString(tmp, sb);
            Files.move(tmp, work.resolve("inbox").resolve(name), StandardCopyOption.ATOMIC_MOVE);
            synchronized (dropped) {
                dropped.add(name);
            }
            file.forEach((u, c) -> expectedCents.merge(u, c, Long::sum));
        }
    }

    private static String event(String user, boolean add, long cents) {
        return "{\"userId\":\"" + user + "\",\"name\":\"" + (add ? "add_revenue" : "subtract_revenue") + "\",\"value\":"
                + new BigDecimal(cents).movePointLeft(2).toPlainString() + "}";
    }

    private void compare(Path work, String prefix) throws Exception {
        int port = Integer.parseInt(Files.readAllLines(work.resolve("data/pg/postmaster.pid")).get(3).trim());
        Map<String, BigDecimal> actual = new TreeMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/postgres", "postgres", "");
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT user_id, revenue FROM users_revenue WHERE user_id LIKE '"
                        + prefix + "%'")) {
            while (rs.next()) {
                actual.put(rs.getString(1), rs.getBigDecimal(2));
            }
        }
        StringBuilder diff = new StringBuilder();
        TreeSet<String> users = new TreeSet<>(expectedCents.keySet());
        users.addAll(actual.keySet());
        BigDecimal net = BigDecimal.ZERO;
        for (String u : users) {
            BigDecimal want = new BigDecimal(expectedCents.getOrDefault(u, 0L)).movePointLeft(2);
            BigDecimal got = actual.getOrDefault(u, BigDecimal.ZERO);
            if (want.compareTo(got) != 0) {
                diff.append(String.format("  %s: expected %s, applied %s (difference %s)%n", u, want, got,
                        got.subtract(want)));
                net = net.add(got.subtract(want));
            }
        }
        assertTrue(diff.isEmpty(), "totals differ (net " + net + "):\n" + diff);
        assertEquals(expectedCents.keySet().size(), actual.size(), "users");
    }
}
