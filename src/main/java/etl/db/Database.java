package etl.db;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import etl.config.StartupFailure;

/**
 * The PostgreSQL of this process: the one named by ETL_DB_URL, or else an embedded PostgreSQL server whose data lives
 * in {@code data/pg/} so that totals survive a restart. Several processes on one machine share one embedded server:
 * the first starts it, the others find it through its {@code postmaster.pid} and connect to it. The process that
 * started it (or adopted it from a process that died) stops it on exit.
 */
public final class Database implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Database.class);

    /**
     * How long a starting process waits for the embedded server that another process is starting, or that is in crash
     * recovery after a kill (it refuses connections until its redo is done); an external database gets the connect
     * timeout only.
     */
    private static final Duration JOIN_WAIT = Duration.ofSeconds(60);

    /** The least time a failing start of the embedded server is tried for. */
    private static final Duration RETRY_FLOOR = Duration.ofSeconds(10);

    private final HikariDataSource dataSource;
    private volatile EmbeddedPostgres embedded;
    private volatile ProcessHandle adopted;
    private Path dataDir;
    private int port;
    private java.util.concurrent.ScheduledExecutorService watchdog;
    private volatile boolean closing;

    private Database(HikariDataSource dataSource, EmbeddedPostgres embedded, ProcessHandle adopted) {
        this.dataSource = dataSource;
        this.embedded = embedded;
        this.adopted = adopted;
    }

    /**
     * Keeps the embedded server up: every second, if its postmaster is gone (killed, crashed), the process that owns
     * it (or, when the owner is gone too, this one) starts it again on the same data and port, so that every process
     * connected to it reconnects by itself. Committed data survives: the server runs with fsync on.
     */
    private Database watch(Path dir, int port) {
        this.dataDir = dir;
        this.port = port;
        watchdog = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "embedded-postgres-watchdog");
            t.setDaemon(true);
            return t;
        });
        watchdog.scheduleWithFixedDelay(this::check, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
        return this;
    }

    private void check() {
        if (closing || Running.read(dataDir).isPresent()) {
            return;
        }
        if (!Owner.orphaned(dataDir) && !Owner.isSelf(dataDir)) {
            return; // another live process owns the server: it starts it again
        }
        try {
            LOG.warn("The embedded PostgreSQL (data {}) is not running; starting it again", dataDir);
            EmbeddedPostgres old = embedded;
            if (old != null) {
                // the killed server's pid file names a zombie until init reaps it, and pg_ctl stop, below, would wait
                // 5 s for that "server" to stop: gone first, once none of its processes is left
                Running.clearForStart(dataDir);
                // first: its server is gone, and this releases zonky's lock on the data folder (closing it after the
                // new start would stop the new server)
                embedded = null;
                try {
                    old.close();
                } catch (IOException | RuntimeException e) {
                    LOG.debug("Closing the dead embedded PostgreSQL: {}", e.toString());
                }
            }
            // where it ran last (another process may have started it on another port meanwhile), else where it ran here
            int last = Running.lastPort(dataDir);
            int on = last > 0 ? last : port;
            embedded = start(dataDir, on);
            adopted = null;
            Owner.claim(dataDir);
            LOG.info("Started the embedded PostgreSQL again on port {}", on);
        } catch (IOException | RuntimeException e) {
            releaseLeakedLock(e);
            LOG.warn("Cannot start the embedded PostgreSQL again yet: {}", firstLine(String.valueOf(e.getMessage())));
        }
    }

    /**
     * Starts the server in {@code dir} with zonky, which waits until it takes a connection (up to 60 s: a long crash
     * recovery) but does not look whether it is still alive: a server killed while it started (a kill -9 a second after
     * the one it recovered from) kept the starting thread waiting the full 60 s, the data folder locked, and every
     * process without its database (a CI run, and a loop of CrashIT, saw it). A {@link StartWatch} beside the start
     * ends that wait once the new server is gone, and the start fails at once, to be tried again.
     */
    static EmbeddedPostgres start(Path dir, int port) throws IOException {
        if (!Running.clearForStart(dir)) {
            throw new ServerStillEnding(dir);
        }
        EmbeddedPostgres.Builder b = EmbeddedPostgres.builder()
                .setDataDirectory(dir)
                .setCleanDataDirectory(false)
                // stopped by close(), after Camel's routes: a JVM hook of its own would stop it under them
                .setRegisterShutdownHook(false)
                .setPGStartupWait(Duration.ofSeconds(60))
                .setServerConfig("max_connections", "200")
                // the WAL's buffer in shared memory: PostgreSQL's default is 1/32 of shared_buffers (4 MB of initdb's
                // 128 MB), and a batch of half a million new users writes about 45 MB of WAL, so the backends that COPY
                // them stopped to write the full buffer out themselves (pg_stat_wal: wal_buffers_full 7,528 in a
                // million distinct users). 16 MB, the most PostgreSQL's own sizing gives: a million distinct users
                // dropped in 2.21-2.37 s against 2.39-2.64 s (five alternated pairs); 64 MB no faster. Commits still
                // flush and fsync the WAL (synchronous_commit below) before they return.
                .setServerConfig("wal_buffers", "16MB")
                // a batch of many users applies half of them on a second connection, prepared, then committed with
                // the batch (etl.processor.ApplyTotals): two backends insert at once (PostgreSQL's default is 0)
                .setServerConfig("max_prepared_transactions", "32")
                // a new cluster collates by bytes ("C"; UTF-8 still, zonky's -E): the primary key's B-tree of
                // users_revenue compares ids with memcmp instead of the C library's strcoll, and sorts use abbreviated
                // keys. 462,000 users (127,000 of them updated) merged into 274,000: 2.2-2.7 s against 3.1-3.8 s with
                // C.UTF-8 (the machine's locale here; en_US would be slower still). The order is the same for UTF-8
                // (code points); a cluster made before keeps its own.
                .setLocaleConfig("locale", "C")
                // zonky starts the server with -F (fsync off) and synchronous_commit=off: a crash of the
                // server would lose committed batches whose files already left the outbox. As durable as any
                // production PostgreSQL instead (these -c settings come after its own and win).
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("full_page_writes", "on")
                // TCP only (the pools connect to localhost:port): a Unix socket's lock file in /tmp names the server's
                // pid too, and a killed server that is not reaped yet would keep the next one from starting
                .setServerConfig("unix_socket_directories", "''");
        if (port > 0) {
            b.setPort(port);
        }
        StartWatch watch = new StartWatch(dir, Thread.currentThread());
        EmbeddedPostgres pg;
        try {
            pg = b.start();
        } finally {
            watch.stop();
            if (watch.sawDeath()) {
                Thread.interrupted(); // zonky keeps the interrupt it took for "stop waiting": not ours to pass on
            }
        }
        if (watch.sawDeath()) {
            Running.clearForStart(dir); // its pid file, if it names a zombie, would keep pg_ctl stop waiting 5 s
            try {
                pg.close(); // releases zonky's lock on the folder; stopping the dead server fails
            } catch (IOException | RuntimeException e) {
                LOG.debug("Closing the server killed while it started: {}", e.toString());
            }
            throw new ServerKilledWhileStarting(dir);
        }
        return pg;
    }

    /**
     * Watches a start of the server from beside it: once the postmaster it started (a pid file with another pid than
     * before the start) is dead, or its pid file is gone again (a start that failed removes it), it interrupts the
     * starting thread, which zonky's wait takes for "stop waiting". After {@link #stop} it interrupts nothing. The pid
     * files of initdb's standalone backends (negative pids), which come and go while a new cluster is made, are not
     * the server's.
     */
    static final class StartWatch implements Runnable {
        private final Path dir;
        private final Thread starter;
        private final long before;
        private boolean stopped;
        private volatile boolean died;

        StartWatch(Path dir, Thread starter) {
            this.dir = dir;
            this.starter = starter;
            this.before = Running.inFile(dir).map(Running::pid).orElse(-1L);
            Thread t = new Thread(this, "embedded-postgres-start-watch");
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void run() {
            boolean seen = false;
            while (!isStopped()) {
                // a postmaster's pid; initdb's standalone backends (a new cluster) write theirs negated, and go
                Optional<Running> r = Running.inFile(dir).filter(x -> x.pid() > 0);
                if (r.isPresent() && r.get().pid() != before) {
                    seen = true;
                    if (!alive(r.get().pid())) {
                        died();
                        return;
                    }
                } else if (seen && r.isEmpty()) {
                    died();
                    return;
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private synchronized boolean isStopped() {
            return stopped;
        }

        private synchronized void died() {
            if (!stopped) {
                died = true;
                starter.interrupt();
            }
        }

        synchronized void stop() {
            stopped = true;
        }

        boolean sawDeath() {
            return died;
        }
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /**
     * Waits until the embedded server takes a connection: it may be starting, or in crash recovery after a kill, and
     * it refuses connections until then. Not reached in time: a start-up failure, this Database closed.
     */
    private Database awaitConnection(Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            try (Connection c = dataSource.getConnection()) {
                return this;
            } catch (SQLException e) {
                if (System.nanoTime() > deadline) {
                    adopted = null; // a server found running but unreachable is not this failed start's to stop
                    close();
                    Throwable root = e;
                    while (root.getCause() != null) {
                        root = root.getCause();
                    }
                    throw new StartupFailure("cannot reach the embedded PostgreSQL: "
                            + firstLine(String.valueOf(root.getMessage())), e);
                }
                sleep(200);
            }
        }
    }

    /** Connects to the external database at {@code url}. */
    public static Database external(String url, String user, String password, int poolSize, long timeoutMillis) {
        String what = "external PostgreSQL " + url;
        return new Database(pool(url, user, password, poolSize, timeoutMillis, what), null, null);
    }

    /** Starts (or joins) the embedded PostgreSQL whose data is in {@code dataDir}. */
    public static Database embedded(Path dataDir, int poolSize, long timeoutMillis) {
        Path dir = dataDir.toAbsolutePath();
        try {
            Files.createDirectories(dir.getParent());
        } catch (IOException e) {
            throw new StartupFailure("cannot create the folder for the embedded PostgreSQL " + dir + ": " + e.getMessage());
        }
        long started = System.nanoTime();
        long deadline = started + JOIN_WAIT.toNanos();
        int failures = 0;
        while (true) {
            Optional<Running> running = Running.read(dir);
            if (running.isPresent()) {
                Running r = running.get();
                ProcessHandle adopted = Owner.claimIfOrphaned(dir, r.pid());
                LOG.info("Using the embedded PostgreSQL already running on port {} (data {}){}", r.port(), dir,
                        adopted != null ? ", adopted from a process that is gone" : "");
                // watched before it is waited for: this process may own the server now (adopted), and the owner is
                // the one that starts a server found dead (killed meanwhile) again
                return new Database(pool(new Following(dir, r.port()), poolSize, timeoutMillis), null, adopted)
                        .watch(dir, r.port()).awaitConnection(JOIN_WAIT);
            }
            try {
                // on the port of the server that ran last, so that the pools of the other processes (which know that
                // port) find the server again; on any free port when that did not work for a while
                boolean early = System.nanoTime() - started < RETRY_FLOOR.toNanos();
                EmbeddedPostgres pg = start(dir, early ? Running.lastPort(dir) : 0);
                Owner.claim(dir);
                LOG.info("Started the embedded PostgreSQL on port {} (data {})", pg.getPort(), dir);
                return new Database(pool(new Following(dir, pg.getPort()), poolSize, timeoutMillis), pg, null)
                        .watch(dir, pg.getPort()).awaitConnection(JOIN_WAIT);
            } catch (IOException | RuntimeException e) {
                releaseLeakedLock(e);
                String msg = String.valueOf(e.getMessage());
                // zonky's lock on the data folder is held: another process is starting the server (after a kill of
                // the server or of its owner, the others' watchdogs do), or the killed server's processes are still
                // ending, or the server this start began was killed: wait for it, try again, rather than fail
                boolean anotherStarting = msg.startsWith("could not lock") || e instanceof ServerStillEnding
                        || e instanceof ServerKilledWhileStarting;
                if (!anotherStarting) {
                    failures++;
                }
                // a real failure (initdb refused, say) ends the start after three tries, but not in the first seconds
                // after a kill (the old server's port, say, may not be free yet)
                boolean tried = failures > 2 && System.nanoTime() - started > RETRY_FLOOR.toNanos();
                if (Running.read(dir).isEmpty() && (tried || System.nanoTime() > deadline)) {
                    String hint = msg.contains("root") ? " (initdb cannot run as root here: user namespaces are"
                            + " unavailable; set ETL_DB_URL to an external PostgreSQL)" : "; set ETL_DB_URL to use an"
                            + " external PostgreSQL instead";
                    throw new StartupFailure("cannot start the embedded PostgreSQL in " + dir + ": " + firstLine(msg)
                            + hint, e);
                }
                LOG.info("Embedded PostgreSQL not started yet ({}), trying again", firstLine(msg));
                sleep(500);
            }
        }
    }

    /**
     * A start of zonky's that failed after it locked the data folder (its server did not come up) keeps that lock: the
     * object holding it was never returned, so it cannot be closed, and every later start in this JVM fails with an
     * OverlappingFileLockException. The lock goes with that object: after a collection the JVM's lock table drops it
     * and its file is closed, so the next try can lock the folder again.
     */
    private static void releaseLeakedLock(Exception e) {
        if (e instanceof java.nio.channels.OverlappingFileLockException) {
            System.gc();
        }
    }

    /**
     * {@code CREATE INDEX IF NOT EXISTS name ON table}: PostgreSQL locks the table (SHARE) before it looks whether the
     * index exists, so the statement waits for every open transaction that writes the table, and every writer that
     * comes after waits for it.
     */
    private static final java.util.regex.Pattern CREATE_INDEX = java.util.regex.Pattern.compile(
            "(?is)^CREATE\\s+(?:UNIQUE\\s+)?INDEX\\s+IF\\s+NOT\\s+EXISTS\\s+(\\w+)\\s+ON\\b.*");

    /**
     * Applies the schema (db.sql) under an advisory lock, so that processes starting together do not race. An index
     * that exists already is not created again: a process starting while a batch or an import holds a transaction open
     * would otherwise queue behind it on the table's lock, and hold up every request and batch that writes the table
     * behind itself (PostgreSQL takes the lock before it checks IF NOT EXISTS).
     */
    public void applySchema() {
        String sql;
        try (InputStream in = Database.class.getClassLoader().getResourceAsStream("db.sql")) {
            if (in == null) {
                throw new StartupFailure("db.sql is not on the classpath");
            }
            sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new StartupFailure("cannot read db.sql: " + e.getMessage());
        }
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            st.execute("SELECT pg_advisory_lock(7454812)");
            try {
                for (String statement : statements(sql)) {
                    if (!indexExists(c, statement)) {
                        st.execute(statement);
                    }
                }
            } finally {
                st.execute("SELECT pg_advisory_unlock(7454812)");
            }
        } catch (SQLException e) {
            throw new StartupFailure("cannot apply db.sql: " + e.getMessage());
        }
    }

    /** Whether the statement creates an index if it does not exist, and it exists (in the search path). */
    static boolean indexExists(Connection c, String statement) throws SQLException {
        java.util.regex.Matcher m = CREATE_INDEX.matcher(statement);
        if (!m.matches()) {
            return false;
        }
        try (java.sql.PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, m.group(1));
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    /** Splits a script without functions or quoted semicolons into statements, dropping comment lines. */
    static List<String> statements(String script) {
        StringBuilder sb = new StringBuilder();
        for (String line : script.split("\n")) {
            if (!line.trim().startsWith("--")) {
                sb.append(line).append('\n');
            }
        }
        return java.util.Arrays.stream(sb.toString().split(";")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    @Override
    public void close() {
        closing = true;
        if (watchdog != null) {
            watchdog.shutdownNow();
        }
        dataSource.close();
        if (embedded != null) {
            try {
                embedded.close();
                LOG.info("Stopped the embedded PostgreSQL");
            } catch (IOException e) {
                LOG.warn("Stopping the embedded PostgreSQL: {}", e.getMessage());
            }
        } else if (adopted != null) {
            adopted.destroy();
            LOG.info("Asked the adopted embedded PostgreSQL (pid {}) to stop", adopted.pid());
        }
    }

    /** The pool of the embedded server: connections made by {@link Following}, none made before it is waited for. */
    private static HikariDataSource pool(Following server, int size, long timeoutMillis) {
        HikariConfig cfg = poolConfig(size, timeoutMillis, -1);
        cfg.setDataSource(server);
        return new HikariDataSource(cfg);
    }

    /** What every pool of the process has: its size, one idle connection, the wait for a connection, its name. */
    private static HikariConfig poolConfig(int size, long timeoutMillis, long initTimeoutMillis) {
        HikariConfig cfg = new HikariConfig();
        cfg.setMaximumPoolSize(size);
        cfg.setMinimumIdle(1);
        cfg.setConnectionTimeout(timeoutMillis);
        cfg.setInitializationFailTimeout(initTimeoutMillis);
        cfg.setPoolName("etl-db");
        return cfg;
    }

    /**
     * Connections to the embedded server on the port it listens on now: the one in its pid file, read at each new
     * connection (the last one known while it has none). Its owner starts a killed server again on the same port, but a
     * process that could not have that port for a while starts it on another, and a pool bound to one URL would never
     * find it again; this one follows it.
     */
    static final class Following implements DataSource {
        private static final org.postgresql.Driver DRIVER = new org.postgresql.Driver();
        private final Path dir;
        private volatile int port;
        private volatile int loginTimeoutSeconds;

        Following(Path dir, int port) {
            this.dir = dir;
            this.port = port;
        }

        /** The port the next connection goes to. */
        int port() {
            Running.inFile(dir).map(Running::port).filter(p -> p > 0).ifPresent(p -> port = p);
            return port;
        }

        @Override
        public Connection getConnection() throws SQLException {
            java.util.Properties props = new java.util.Properties();
            props.setProperty("user", "postgres");
            if (loginTimeoutSeconds > 0) {
                props.setProperty("loginTimeout", Integer.toString(loginTimeoutSeconds));
            }
            Connection c = DRIVER.connect("jdbc:postgresql://localhost:" + port() + "/postgres",
                    props);
            if (c == null) {
                throw new SQLException("the PostgreSQL driver refused its own URL");
            }
            return c;
        }

        @Override
        public Connection getConnection(String user, String password) throws SQLException {
            return getConnection();
        }

        @Override
        public java.io.PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(java.io.PrintWriter out) {
            // nothing logged this way
        }

        @Override
        public void setLoginTimeout(int seconds) {
            loginTimeoutSeconds = seconds;
        }

        @Override
        public int getLoginTimeout() {
            return loginTimeoutSeconds;
        }

        @Override
        public java.util.logging.Logger getParentLogger() throws java.sql.SQLFeatureNotSupportedException {
            throw new java.sql.SQLFeatureNotSupportedException();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            if (iface.isInstance(this)) {
                return iface.cast(this);
            }
            throw new SQLException("not a wrapper of " + iface.getName());
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return iface.isInstance(this);
        }
    }

    /** The pool of an external database: its first connection made at once, a failure a start-up failure. */
    private static HikariDataSource pool(String url, String user, String password, int size, long timeoutMillis,
            String what) {
        HikariConfig cfg = poolConfig(size, timeoutMillis, timeoutMillis);
        cfg.setJdbcUrl(url);
        cfg.setUsername(user);
        cfg.setPassword(password);
        try {
            return new HikariDataSource(cfg);
        } catch (RuntimeException e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            throw new StartupFailure("cannot reach the " + what + ": " + firstLine(String.valueOf(root.getMessage())), e);
        }
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl > 0 ? s.substring(0, nl) : s;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupFailure("interrupted while starting the database");
        }
    }

    /**
     * Whether a process runs. A killed process whose parent does not reap it is a zombie, which {@link ProcessHandle}
     * calls alive: a postmaster killed after its starter died is reparented to init, and an init that reaps orphans
     * late (seen on these machines: every 2 s) would make a dead server look alive, adopted and never started again.
     */
    static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && !unreaped(pid);
    }

    /** Whether a process has ended but is not reaped yet (a zombie): its state in /proc. */
    static boolean unreaped(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2); // "pid (comm) S ...": comm may hold spaces
            return state == 'Z' || state == 'X';
        } catch (IOException | RuntimeException e) {
            return false; // no /proc (not Linux), or gone: ProcessHandle's answer stands
        }
    }

    /** A start given up: the server it started was killed (or failed) before it took a connection. */
    static final class ServerKilledWhileStarting extends IllegalStateException {
        ServerKilledWhileStarting(Path dir) {
            super("the server started in " + dir + " was gone before it took a connection");
        }
    }

    /** A start not begun: processes of the server that was killed are still ending (they work in its data folder). */
    static final class ServerStillEnding extends IllegalStateException {
        ServerStillEnding(Path dir) {
            super("processes of the last server in " + dir + " are still ending");
        }
    }

    /**
     * A postmaster whose pid file is in the data folder and whose process is alive. {@link #inFile} reads that pid file
     * (line 1 the pid, line 4 the port), whether its server lives or not.
     */
    record Running(long pid, int port) {
        static Optional<Running> read(Path dataDir) {
            return inFile(dataDir).filter(r -> alive(r.pid()));
        }

        static Optional<Running> inFile(Path dataDir) {
            try {
                List<String> lines = Files.readAllLines(dataDir.resolve("postmaster.pid"));
                if (lines.size() < 4) {
                    return Optional.empty();
                }
                long pid = Long.parseLong(lines.get(0).trim());
                return Optional.of(new Running(pid, Integer.parseInt(lines.get(3).trim())));
            } catch (IOException | NumberFormatException e) {
                return Optional.empty();
            }
        }

        /**
         * Whether a server may be started in the data folder: not while any live process works in it (every process
         * of a server has it as its working folder, and after a kill of the postmaster its backends take a moment to
         * end). A killed server whose process init has not reaped yet (a zombie, which may last: seen on these
         * machines) still has its pid in {@code postmaster.pid}, and PostgreSQL refuses to start while that pid
         * answers {@code kill(pid, 0)}, as a zombie's does: once none of its processes is left, that pid file is
         * removed, which is what PostgreSQL's check of it stands for.
         */
        static boolean clearForStart(Path dataDir) throws IOException {
            if (!Files.isDirectory(dataDir)) {
                return true; // a new cluster
            }
            Path dir = dataDir.toRealPath();
            boolean inUse = ProcessHandle.allProcesses().anyMatch(p -> {
                try {
                    return Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "cwd")).equals(dir)
                            && alive(p.pid());
                } catch (IOException | RuntimeException e) {
                    return false; // gone, or not ours to look at
                }
            });
            if (inUse) {
                return false;
            }
            // only an unreaped server's pid file is ours to remove: any other, PostgreSQL itself judges
            Optional<Running> last = inFile(dataDir);
            if (last.isPresent() && unreaped(last.get().pid())) {
                Files.deleteIfExists(dataDir.resolve("postmaster.pid"));
                LOG.info("The killed PostgreSQL (pid {}) is not reaped yet and none of its processes is left; its pid"
                        + " file is removed", last.get().pid());
            }
            return true;
        }

        /**
         * The port of the server that ran last: the one in its pid file, alive or not, else the one in the command line
         * it recorded in {@code postmaster.opts} (a killed server's pid file is gone once {@link #clearForStart} has
         * removed it, while its owner starts it again: a process starting in that moment must not pick another port,
         * which the pools of the others would never find); 0 when there is neither.
         */
        static int lastPort(Path dataDir) {
            return inFile(dataDir).map(Running::port).orElseGet(() -> optsPort(dataDir));
        }

        /** The {@code "-p" "port"} of the command line in {@code postmaster.opts}; 0 when absent or unreadable. */
        static int optsPort(Path dataDir) {
            try {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"-p\" \"(\\d{1,5})\"")
                        .matcher(Files.readString(dataDir.resolve("postmaster.opts")));
                return m.find() ? Integer.parseInt(m.group(1)) : 0;
            } catch (IOException | RuntimeException e) {
                return 0;
            }
        }
    }

    /** Which JVM is responsible for stopping the embedded server: {@code <dataDir>.owner} holds its pid. */
    static final class Owner {
        static void claim(Path dataDir) {
            try {
                Files.writeString(ownerFile(dataDir), Long.toString(ProcessHandle.current().pid()));
            } catch (IOException e) {
                LOG.warn("Cannot record the owner of the embedded PostgreSQL: {}", e.getMessage());
            }
        }

        /** The pid recorded as the owner of the embedded server, or -1. */
        static long owner(Path dataDir) {
            try {
                return Long.parseLong(Files.readString(ownerFile(dataDir)).trim());
            } catch (IOException | NumberFormatException e) {
                return -1;
            }
        }

        /** True when no live JVM is recorded as the owner of the embedded server. */
        static boolean orphaned(Path dataDir) {
            long owner = owner(dataDir);
            return owner < 0 || !alive(owner);
        }

        static boolean isSelf(Path dataDir) {
            return owner(dataDir) == ProcessHandle.current().pid();
        }

        /** When the JVM that started the server is gone (killed), this one takes over stopping it. */
        static ProcessHandle claimIfOrphaned(Path dataDir, long postmasterPid) {
            try {
                long owner = Long.parseLong(Files.readString(ownerFile(dataDir)).trim());
                if (alive(owner)) {
                    return null;
                }
            } catch (IOException | NumberFormatException e) {
                // no owner recorded: adopt it
            }
            claim(dataDir);
            return ProcessHandle.of(postmasterPid).orElse(null);
        }

        private static Path ownerFile(Path dataDir) {
            return dataDir.resolveSibling(dataDir.getFileName() + ".owner");
        }
    }
}
