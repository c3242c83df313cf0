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
 * started again; PostgreSQL itself is killed too (its owner starts it again). A fourth sender posts bodies dressed in
 * byte-level garbage (HostileBodyTest's generator): each answered 200 must be applied, each 400 must not; the inbox
 * files hold garbage lines too (ill-formed UTF-8, NUL, UTF-16, lone surrogates, a BOM, a line over the length limit).
 * Then every user's total must equal the totals computed here from what was acknowledged.
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
    private final AtomicLong garbageAccepted = new AtomicLong();
    private final AtomicLong garbageRefused = new AtomicLong();
    private int pgKills;

    @Test
    void everyAcknowledgedEventIsAppliedExactlyOnceThroughKills() throws Exception {
        long seed = Long.getLong("crash.seed", System.currentTimeMillis());
        int kills = Integer.getInteger("crash.kills", 12);
        System.out.println("CrashIT seed=" + seed + " kills=" + kills + " (replay: -Dcrash.seed=" + seed + ")");
        Path work = Path.of("target", "crash-" + seed).toAbsolutePath();
        // a replay starts clean: the same seed sends the same Idempotency-Keys, which a database left by the first run
        // answers as applied with that run's bodies (a replay here "failed" with every total off)
        AppProcess.deleteTree(work);
        Path log = Files.createDirectories(work).resolve("app.log");
        String prefix = "c" + Long.toString(seed, 36) + "-";
        // A applies every batch of more than 20 users in two halves at once (the second one prepared, then committed
        // with the batch: etl.processor.ApplyTotals), B applies its batches whole: kills land between a batch's commit
        // and its half's, and the two processes' batches meet on the same users
        Map<String, String> envA = Map.of("ETL_PROCESSOR_SPLIT_USERS", "20");
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
            Random gr = new Random(seed * 31 + 300);
            threads.add(start("garbage-sender", () -> sendGarbage(gr, prefix, seed)));
            Random fr = new Random(seed * 31 + 100);
            threads.add(start("dropper", () -> drop(fr, prefix, work)));

            Random kr = new Random(seed * 31 + 200);
            for (int k = 1; k <= kills; k++) {
                Thread.sleep(800 + kr.nextInt(2200));
                if (k == 2 || kr.nextInt(6) == 0) {
                    long pg = runningPostmaster(work.resolve("data/pg"));
                    ProcessHandle.of(pg).ifPresent(ProcessHandle::destroyForcibly);
                    pgKills++;
                    System.out.println("CrashIT kill " + k + ": PostgreSQL (pid " + pg + ") after " + acknowledged.get()
                            + " acknowledged requests");
                    continue;
                }
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
            long halves;
            try (var lines = Files.lines(log, java.nio.charset.StandardCharsets.ISO_8859_1)) {
                halves = lines.filter(l -> l.contains("applied in two halves at once")).count();
            }
            System.out.println("CrashIT: " + halves + " batches of A applied in two halves");
            assertTrue(halves > 0, "no batch was applied in two halves: the kills never met a prepared half");
            System.out.println("CrashIT seed=" + seed + ": " + kills + " kills (" + pgKills + " of PostgreSQL), "
                    + acknowledged.get() + " acknowledged requests (" + retries.get() + " re-sends), "
                    + garbageAccepted.get() + " garbage bodies accepted and " + garbageRefused.get() + " refused, "
                    + dropped.size() + " files, " + expectedCents.size() + " users: every total exact");
            assertTrue(pgKills >= 1 || kills < 2, "PostgreSQL was never killed");
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

    /**
     * The pid of the running postmaster. Right after a kill the server may be between two lives: its watchdog has
     * removed the killed one's pid file and the new one has not written its own yet; the next kill waits for it.
     */
    static long runningPostmaster(Path dataDir) throws Exception {
        long[] pid = {-1};
        // alive: its /proc entry is there and it is not a zombie
        Waits.until("a running PostgreSQL to kill", 60_000, () -> {
            try {
                List<String> lines = Files.readAllLines(dataDir.resolve("postmaster.pid"));
                pid[0] = Long.parseLong(lines.get(0).trim());
                String stat = Files.readString(Path.of("/proc", Long.toString(pid[0]), "stat"));
                return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z'; // a killed one not reaped yet is no target
            } catch (java.io.IOException | RuntimeException e) {
                return false; // absent, or being written
            }
        });
        return pid[0];
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
            int status = sendUntilAnswered(r, key, body.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    "application/json");
            if (status != 200) {
                throw new AssertionError("request " + key + " answered " + status);
            }
            chunk.forEach((u, c) -> expectedCents.merge(u, c, Long::sum));
            acknowledged.incrementAndGet();
            Thread.sleep(r.nextInt(20));
        }
    }

    /** One status for a request re-sent until it is answered (not -1) with anything but a 5xx. */
    private int sendUntilAnswered(Random r, String key, byte[] body, String contentType) throws Exception {
        long deadline = System.currentTimeMillis() + 120_000;
        while (true) {
            int port = r.nextBoolean() ? PORT_A : PORT_B;
            int status;
            try {
                HttpRequest req = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/liveEvent"))
                        .timeout(Duration.ofSeconds(10))
                        .header("Authorization", "secret").header("Idempotency-Key", key)
                        .header("Content-Type", contentType)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
                status = HTTP.send(req, HttpResponse.BodyHandlers.ofString()).statusCode();
            } catch (java.io.IOException e) {
                status = -1; // refused or cut by a kill: send it again
            }
            if (status != -1 && status < 500) {
                return status;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("request " + key + " never answered");
            }
            retries.incrementAndGet();
            Thread.sleep(50);
        }
    }

    /** Bodies with byte-level garbage, one event each: a 200 must be applied, a 400 must not. */
    private void sendGarbage(Random r, String prefix, long seed) throws Exception {
        int n = 0;
        while (running.get()) {
            String user = prefix + "g" + n;
            String key = "crash-garbage-" + seed + "-" + (n++);
            String value = r.nextInt(100_000) + (r.nextBoolean() ? "" : "." + r.nextInt(10) + r.nextInt(10));
            byte[] body = HostileBodyTest.Generated.body(r, user, value);
            String ct = r.nextBoolean() ? "application/x-ndjson" : "application/json";
            int status = sendUntilAnswered(r, key, body, ct);
            if (status == 200) {
                expectedCents.merge(user, new BigDecimal(value).movePointRight(2).longValueExact(), Long::sum);
                garbageAccepted.incrementAndGet();
            } else if (status == 400) {
                garbageRefused.incrementAndGet();
            } else {
                throw new AssertionError("garbage request " + key + " answered " + status);
            }
            Thread.sleep(r.nextInt(30));
        }
    }

    /** Garbage lines for an inbox file: none of them is a valid event. */
    private static byte[] garbageLine(Random r, String user) {
        String e = "{\"userId\":\"" + user + "\",\"name\":\"add_revenue\",\"value\":1}";
        return switch (r.nextInt(6)) {
            case 0 -> ("{\"userId\":\"" + user + "\u00fe\",\"name\":\"add_revenue\",\"value\":1}")
                    .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);            // ill-formed UTF-8
            case 1 -> new byte[] {0, 0, '{', 0};                                        // NUL
            case 2 -> e.getBytes(java.nio.charset.StandardCharsets.UTF_16LE);           // another encoding
            case 3 -> ("{\"userId\":\"" + user + "\\udc00\",\"name\":\"add_revenue\",\"value\":1}")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);                 // lone surrogate
            case 4 -> "\u2028".getBytes(java.nio.charset.StandardCharsets.UTF_8);     // white space that is not JSON's
            default -> new byte[] {(byte) 0xC0, (byte) 0xAF, '{'};                      // overlong
        };
    }

    /** Drops inbox files of 5,000 to 50,000 lines, about 1% of them invalid. */
    private void drop(Random r, String prefix, Path work) throws Exception {
        Files.createDirectories(work.resolve("inbox"));
        int f = 0;
        while (running.get() && f < 8) {
            Thread.sleep(1000 + r.nextInt(3000));
            int lines = 5_000 + r.nextInt(45_001);
            java.io.ByteArrayOutputStream sb = new java.io.ByteArrayOutputStream(lines * 70);
            Map<String, Long> file = new TreeMap<>();
            if (r.nextBoolean()) {
                sb.writeBytes(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}); // a BOM before the first line
            }
            for (int i = 0; i < lines; i++) {
                String user = prefix + r.nextInt(USERS);
                long cents = r.nextInt(100_000);
                boolean add = r.nextBoolean();
                int bad = r.nextInt(100);
                if (bad == 0) {
                    sb.writeBytes(("{\"userId\":\"" + user + "\",\"name\":\"add_revenue\",\"value\":\"5\"}\n")
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
                } else if (bad == 1) {
                    sb.writeBytes("not json at all\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                } else if (bad == 2) {
                    sb.writeBytes(garbageLine(r, user));
                    sb.write('\n');
                } else if (i == 100 && f % 3 == 0) {
                    // a line over the 1 MiB limit: quarantined, never applied, memory stays bounded
                    sb.writeBytes(("{\"userId\":\"" + user + "\",\"name\":\"add_revenue\",\"value\":1,\"x\":\""
                            + "x".repeat(1_200_000) + "\"}\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
                } else {
                    file.merge(user, add ? cents : -cents, Long::sum);
                    sb.writeBytes((event(user, add, cents) + (r.nextInt(10) == 0 ? "\r\n" : "\n"))
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
                }
            }
            String name = "crash-" + (f++) + ".jsonl";
            Path tmp = work.resolve(name + ".part");
            Files.write(tmp, sb.toByteArray());
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
