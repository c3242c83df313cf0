package etl.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starting the embedded PostgreSQL when other processes share it: after a kill of the server (or of its owner) several
 * processes start it again at once, and one of them holds the data folder while the others must wait for it, not
 * fail; a server started again after a crash keeps the port the other processes' pools know (also when its pid file is
 * gone); and a killed server that is not reaped yet (a zombie) is not taken for a running one.
 */
class DatabaseStartTest {

    @TempDir
    Path tmp;

    @Test
    void aProcessStartingWhileAnotherHoldsTheDataFolderWaitsForIt() throws Exception {
        Path dir = tmp.resolve("pg");
        Database.embedded(dir, 2, 5_000).close(); // initialized, then stopped cleanly
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), LockHolder.class.getName(), dir.resolve("epg-lock").toString(),
                "3000").redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream()));
            assertEquals("locked", out.readLine());
            assertStartsAfterWaiting(dir, "the folder was held");
        } finally {
            holder.destroyForcibly();
        }
    }

    @Test
    void aStartWaitsUntilNoProcessWorksInTheDataFolder() throws Exception {
        Path dir = tmp.resolve("pg");
        Database.embedded(dir, 2, 5_000).close();
        // as a backend of a killed postmaster does for a moment: a live process whose working folder is the data folder
        Process backend = new ProcessBuilder("sleep", "3").directory(dir.toFile()).start();
        try {
            Thread.sleep(200);
            assertStartsAfterWaiting(dir, "a process worked in the folder");
        } finally {
            backend.destroyForcibly();
        }
    }

    /** Starts the server in {@code dir} while something (ending within 3 s) stands in the way: it waits, then works. */
    private static void assertStartsAfterWaiting(Path dir, String obstacle) throws Exception {
        long t0 = System.nanoTime();
        try (Database db = Database.embedded(dir, 2, 5_000)) {
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(waited >= 1_500, "started in " + waited + " ms while " + obstacle);
            assertEquals(1, selectOne(db));
        }
    }

    @Test
    void aLockLeftByAFailedStartInThisProcessIsReleased() throws Exception {
        Path dir = tmp.resolve("pg");
        Database.embedded(dir, 2, 5_000).close();
        leakLock(dir.resolve("epg-lock")); // as zonky's start does when its server does not come up
        try (Database db = Database.embedded(dir, 2, 5_000)) {
            assertEquals(1, selectOne(db));
        }
    }

    /** Locks a file and drops the channel without closing it. */
    private static void leakLock(Path file) throws Exception {
        @SuppressWarnings("resource")
        java.nio.channels.FileChannel ch = new java.io.FileOutputStream(file.toFile()).getChannel();
        assertTrue(ch.tryLock() != null);
    }

    @Test
    void aServerStartedAgainAfterACrashKeepsItsPort() throws Exception {
        Path dir = tmp.resolve("pg");
        // a server with no watchdog beside it (the one of a process that was killed with it)
        int port = crash(Database.start(dir, 0), dir);
        assertTrue(Files.exists(dir.resolve("postmaster.pid")), "the crashed server's pid file");
        assertStartsAgainOn(dir, port);
    }

    /** A process starting now starts the server on this port, and it answers. */
    private static void assertStartsAgainOn(Path dir, int port) throws Exception {
        try (Database again = Database.embedded(dir, 2, 5_000)) {
            assertEquals(port, Integer.parseInt(Files.readAllLines(dir.resolve("postmaster.pid")).get(3).trim()));
            assertEquals(1, selectOne(again));
        }
    }

    /**
     * kill -9 of the server's postmaster (its pid file stays behind), then zonky's object closed, which releases its
     * lock on the folder (stopping the dead server fails). Returns the port it listened on.
     */
    private static int crash(EmbeddedPostgres server, Path dir) throws Exception {
        ProcessHandle postmaster = ProcessHandle.of(Long.parseLong(
                Files.readAllLines(dir.resolve("postmaster.pid")).get(0).trim())).orElseThrow();
        postmaster.destroyForcibly();
        postmaster.onExit().get(10, TimeUnit.SECONDS);
        try {
            server.close();
        } catch (java.io.IOException | RuntimeException e) {
            // expected: nothing to stop
        }
        return server.getPort();
    }

    @Test
    void aServerWhosePidFileIsGoneStartsAgainOnItsLastPort() throws Exception {
        Path dir = tmp.resolve("pg");
        int port = crash(Database.start(dir, 0), dir);
        // as the owner's watchdog leaves it for a moment: the killed server's pid file removed, no new server yet; a
        // process starting then must take the same port, which the pools of the others know
        Files.delete(dir.resolve("postmaster.pid"));
        assertStartsAgainOn(dir, port);
    }

    @Test
    void aKilledServerNotReapedYetDoesNotStopTheNextStart() throws Exception {
        Path dir = tmp.resolve("pg");
        Path pidFile = dir.resolve("postmaster.pid");
        crash(Database.start(dir, 0), dir);
        // the pid file names a zombie, as when the killed postmaster's parent (init) has not reaped it
        Process parent = zombieParent();
        try {
            long zombie = zombieOf(parent);
            java.util.List<String> lines = new java.util.ArrayList<>(Files.readAllLines(pidFile));
            lines.set(0, Long.toString(zombie));
            Files.write(pidFile, lines);
            try (Database again = Database.embedded(dir, 2, 5_000)) {
                assertEquals(1, selectOne(again));
            }
        } finally {
            parent.destroyForcibly();
        }
    }

    /** A process whose child ends at once and is never waited for: a zombie while the parent lives (30 s). */
    private static Process zombieParent() throws Exception {
        return new ProcessBuilder("bash", "-c", "sleep 0.1 & echo $!; exec sleep 30").start();
    }

    private static long zombieOf(Process parent) throws Exception {
        long zombie = Long.parseLong(new BufferedReader(new InputStreamReader(parent.getInputStream())).readLine());
        Thread.sleep(600);
        return zombie;
    }

    @Test
    void aZombieIsNotAlive() throws Exception {
        // as a killed postmaster is until init reaps it
        Process parent = zombieParent();
        try {
            long zombie = zombieOf(parent);
            assertTrue(ProcessHandle.of(zombie).map(ProcessHandle::isAlive).orElse(false), "ProcessHandle: alive");
            assertFalse(Database.alive(zombie));
            assertTrue(Database.alive(parent.pid()));
            assertTrue(Database.alive(ProcessHandle.current().pid()));
        } finally {
            parent.destroyForcibly();
        }
    }

    @Test
    void aPoolFindsTheServerStartedAgainOnAnotherPort() throws Exception {
        Path dir = tmp.resolve("pg");
        // another live process owns the server: this one's watchdog leaves a dead server to it
        Process owner = new ProcessBuilder("sleep", "60").start();
        EmbeddedPostgres first = Database.start(dir, 0); // started by "another process"
        int before = first.getPort();
        EmbeddedPostgres other = null;
        try (Database db = Database.embedded(dir, 2, 5_000)) { // this one joins it
            assertEquals(1, selectOne(db));
            Files.writeString(dir.resolveSibling("pg.owner"), Long.toString(owner.pid()));
            crash(first, dir);
            // as a process does that could not have the last port for a while: the server on any free port
            long end = System.currentTimeMillis() + 30_000;
            while (other == null) {
                try {
                    other = Database.start(dir, 0);
                } catch (Database.ServerStillEnding e) {
                    if (System.currentTimeMillis() > end) {
                        throw e;
                    }
                    Thread.sleep(200);
                }
            }
            assertTrue(other.getPort() != before, "the server moved");
            // this pool's connections to the old port are dead; the next ones go where the server is now
            long until = System.currentTimeMillis() + 20_000;
            while (true) {
                try {
                    assertEquals(1, selectOne(db));
                    break;
                } catch (java.sql.SQLException e) {
                    if (System.currentTimeMillis() > until) {
                        throw new AssertionError("the pool did not find the server on port " + other.getPort(), e);
                    }
                }
            }
        } finally {
            owner.destroyForcibly();
            if (other != null) {
                other.close();
            }
        }
    }

    @Test
    void aServerKilledWhileItStartsIsGivenUpAtOnce() throws Exception {
        Path dir = tmp.resolve("pg");
        try (Database db = Database.embedded(dir, 2, 5_000); Connection c = db.dataSource().getConnection();
                Statement st = c.createStatement()) {
            // every connection waits 4 s after its login: the server takes its first one 4 s after it started
            st.execute("ALTER SYSTEM SET post_auth_delay = 4");
        }
        // kill -9 of the postmaster as soon as it is there: before it has taken a connection
        Path pidFile = dir.resolve("postmaster.pid");
        java.util.concurrent.atomic.AtomicLong killed = new java.util.concurrent.atomic.AtomicLong(-1);
        Thread killer = new Thread(() -> {
            long end = System.currentTimeMillis() + 30_000;
            while (System.currentTimeMillis() < end && killed.get() < 0) {
                try {
                    long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
                    ProcessHandle.of(pid).ifPresent(p -> {
                        p.destroyForcibly();
                        killed.set(pid);
                    });
                } catch (Exception e) {
                    // not there yet
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        killer.start();
        long t0 = System.nanoTime();
        try {
            Database.start(dir, 0).close();
            throw new AssertionError("the start of a server killed before it took a connection succeeded");
        } catch (Database.ServerKilledWhileStarting expected) {
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            // zonky alone waited 60 s for it; the watch gives up once the postmaster is gone (and the one connection
            // zonky tried meanwhile has come back: 4 s)
            assertTrue(took < 20_000, "gave up after " + took + " ms");
        } finally {
            killer.join();
        }
        assertTrue(killed.get() > 0, "the postmaster was killed");
        assertFalse(Thread.currentThread().isInterrupted(), "the watch's interrupt stays in the start");
        // and the next start works
        try (Database again = Database.embedded(dir, 2, 10_000); Connection c = again.dataSource().getConnection();
                Statement st = c.createStatement()) {
            st.execute("ALTER SYSTEM RESET post_auth_delay");
            assertEquals(1, selectOne(again));
        }
    }

    @Test
    void theSchemaAppliedAgainDoesNotWaitForOpenTransactions() throws Exception {
        Path dir = tmp.resolve("pg");
        try (Database db = Database.embedded(dir, 4, 5_000)) {
            db.applySchema();
            // a batch, a request and a job writing every table, their transaction still open (a big batch's MERGE)
            try (Connection writer = db.dataSource().getConnection(); Statement st = writer.createStatement()) {
                writer.setAutoCommit(false);
                st.execute("INSERT INTO users_revenue VALUES ('u', 1)");
                st.execute("INSERT INTO camel_messageprocessed VALUES ('outbox', 'f.jsonl', now())");
                st.execute("INSERT INTO idempotency_keys (idempotency_key, events) VALUES ('k', 1)");
                st.execute("INSERT INTO etl_jobs (id, kind, status) VALUES ('j', 'import', 'queued')");
                st.execute("INSERT INTO kafka_offsets VALUES ('t', 0, 1)");
                // another process starting meanwhile applies db.sql again
                java.util.concurrent.CompletableFuture<Void> again = java.util.concurrent.CompletableFuture
                        .runAsync(db::applySchema);
                try {
                    again.get(10, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    writer.rollback(); // lets the blocked statement end
                    throw new AssertionError("db.sql waited for an open transaction on a table it only checks");
                }
                writer.rollback();
            }
        }
    }

    @Test
    void onlyAnIndexThatExistsIsSkipped() throws Exception {
        try (Database db = Database.embedded(tmp.resolve("pg"), 2, 5_000); Connection c = db.dataSource()
                .getConnection()) {
            db.applySchema();
            assertTrue(Database.indexExists(c, "CREATE INDEX IF NOT EXISTS camel_messageprocessed_created ON"
                    + " camel_messageprocessed (createdAt)"));
            assertTrue(Database.indexExists(c, "create unique index if not exists\n  etl_jobs_newest\n on etl_jobs (x)"));
            assertFalse(Database.indexExists(c, "CREATE INDEX IF NOT EXISTS no_such_index ON users_revenue (revenue)"));
            assertFalse(Database.indexExists(c, "CREATE INDEX camel_messageprocessed_created ON camel_messageprocessed"
                    + " (createdAt)"), "without IF NOT EXISTS it runs, and fails as it should");
            assertFalse(Database.indexExists(c, "CREATE TABLE IF NOT EXISTS users_revenue (user_id TEXT)"));
        }
    }

    private static int selectOne(Database db) throws Exception {
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT 1")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
