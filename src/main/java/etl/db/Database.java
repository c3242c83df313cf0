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
            LOG.warn("The embedded PostgreSQL (data {}) is not running; starting it again on port {}", dataDir, port);
            EmbeddedPostgres old = embedded;
            if (old != null) {
                // first: its server is gone, and this releases zonky's lock on the data folder (closing it after the
                // new start would stop the new server)
                embedded = null;
                try {
                    old.close();
                } catch (IOException | RuntimeException e) {
                    LOG.debug("Closing the dead embedded PostgreSQL: {}", e.toString());
                }
            }
            embedded = start(dataDir, port);
            adopted = null;
            Owner.claim(dataDir);
            LOG.info("Started the embedded PostgreSQL again on port {}", port);
        } catch (IOException | RuntimeException e) {
            LOG.warn("Cannot start the embedded PostgreSQL again yet: {}", firstLine(String.valueOf(e.getMessage())));
        }
    }

    private static EmbeddedPostgres start(Path dir, int port) throws IOException {
        EmbeddedPostgres.Builder b = EmbeddedPostgres.builder()
                .setDataDirectory(dir)
                .setCleanDataDirectory(false)
                // stopped by close(), after Camel's routes: a JVM hook of its own would stop it under them
                .setRegisterShutdownHook(false)
                .setPGStartupWait(Duration.ofSeconds(60))
                .setServerConfig("max_connections", "200")
                // zonky starts the server with -F (fsync off) and synchronous_commit=off: a crash of the
                // server would lose committed batches whose files already left the outbox. As durable as any
                // production PostgreSQL instead (these -c settings come after its own and win).
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("full_page_writes", "on");
        if (port > 0) {
            b.setPort(port);
        }
        return b.start();
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /** Connects to the external database at {@code url}. */
    public static Database external(String url, String user, String password, int poolSize, long timeoutMillis) {
        return new Database(pool(url, user, password, poolSize, timeoutMillis, "external PostgreSQL " + url), null, null);
    }

    /** Starts (or joins) the embedded PostgreSQL whose data is in {@code dataDir}. */
    public static Database embedded(Path dataDir, int poolSize, long timeoutMillis) {
        Path dir = dataDir.toAbsolutePath();
        try {
            Files.createDirectories(dir.getParent());
        } catch (IOException e) {
            throw new StartupFailure("cannot create the folder for the embedded PostgreSQL " + dir + ": " + e.getMessage());
        }
        for (int attempt = 0; attempt < 20; attempt++) {
            Optional<Running> running = Running.read(dir);
            if (running.isPresent()) {
                Running r = running.get();
                ProcessHandle adopted = Owner.claimIfOrphaned(dir, r.pid());
                LOG.info("Using the embedded PostgreSQL already running on port {} (data {}){}", r.port(), dir,
                        adopted != null ? ", adopted from a process that is gone" : "");
                String url = "jdbc:postgresql://localhost:" + r.port() + "/postgres";
                return new Database(pool(url, "postgres", "", poolSize, timeoutMillis, "embedded PostgreSQL"), null,
                        adopted).watch(dir, r.port());
            }
            try {
                EmbeddedPostgres pg = start(dir, 0);
                Owner.claim(dir);
                LOG.info("Started the embedded PostgreSQL on port {} (data {})", pg.getPort(), dir);
                String url = pg.getJdbcUrl("postgres", "postgres");
                return new Database(pool(url, "postgres", "", poolSize, timeoutMillis, "embedded PostgreSQL"), pg, null)
                        .watch(dir, pg.getPort());
            } catch (IOException | RuntimeException e) {
                if (Running.read(dir).isEmpty() && attempt > 2) {
                    String msg = String.valueOf(e.getMessage());
                    String hint = msg.contains("root") ? " (initdb cannot run as root here: user namespaces are"
                            + " unavailable; set ETL_DB_URL to an external PostgreSQL)" : "; set ETL_DB_URL to use an"
                            + " external PostgreSQL instead";
                    throw new StartupFailure("cannot start the embedded PostgreSQL in " + dir + ": " + firstLine(msg)
                            + hint, e);
                }
                LOG.info("Embedded PostgreSQL not started yet ({}), trying again", firstLine(String.valueOf(e.getMessage())));
                sleep(500);
            }
        }
        throw new StartupFailure("cannot start or find the embedded PostgreSQL in " + dir);
    }

    /** Applies the schema (db.sql) under an advisory lock, so that processes starting together do not race. */
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
                    st.execute(statement);
                }
            } finally {
                st.execute("SELECT pg_advisory_unlock(7454812)");
            }
        } catch (SQLException e) {
            throw new StartupFailure("cannot apply db.sql: " + e.getMessage());
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

    private static HikariDataSource pool(String url, String user, String password, int size, long timeoutMillis,
            String what) {
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(url);
        cfg.setUsername(user);
        cfg.setPassword(password);
        cfg.setMaximumPoolSize(size);
        cfg.setMinimumIdle(1);
        cfg.setConnectionTimeout(timeoutMillis);
        cfg.setInitializationFailTimeout(timeoutMillis);
        cfg.setPoolName("etl-db");
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

    /** A postmaster whose pid file is in the data folder and whose process is alive. */
    record Running(long pid, int port) {
        static Optional<Running> read(Path dataDir) {
            Path pidFile = dataDir.resolve("postmaster.pid");
            try {
                List<String> lines = Files.readAllLines(pidFile);
                if (lines.size() < 4) {
                    return Optional.empty();
                }
                long pid = Long.parseLong(lines.get(0).trim());
                int port = Integer.parseInt(lines.get(3).trim());
                boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
                return alive ? Optional.of(new Running(pid, port)) : Optional.empty();
            } catch (IOException | NumberFormatException e) {
                return Optional.empty();
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
            return owner < 0 || !ProcessHandle.of(owner).map(ProcessHandle::isAlive).orElse(false);
        }

        static boolean isSelf(Path dataDir) {
            return owner(dataDir) == ProcessHandle.current().pid();
        }

        /** When the JVM that started the server is gone (killed), this one takes over stopping it. */
        static ProcessHandle claimIfOrphaned(Path dataDir, long postmasterPid) {
            try {
                long owner = Long.parseLong(Files.readString(ownerFile(dataDir)).trim());
                if (ProcessHandle.of(owner).map(ProcessHandle::isAlive).orElse(false)) {
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
