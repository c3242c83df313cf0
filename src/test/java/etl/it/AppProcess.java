package etl.it;

import java.io.File;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real application as a separate OS process, so that it can be killed with kill -9: {@code java
 * -XX:SharedArchiveFile=target/revenue-etl.jsa -jar target/revenue-etl.jar} in the integration tests (system properties
 * etl.jar and etl.archive; the README's command), {@code java etl.Application} on the test classpath otherwise.
 */
public final class AppProcess implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path log;

    private AppProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    public static AppProcess start(Path workDir, int port, Path log, Map<String, String> extraEnv) throws Exception {
        AppProcess app = new AppProcess(builder(workDir, port, log, extraEnv).start(), port, log);
        app.awaitHttp(60_000);
        return app;
    }

    /** Starts the application and returns at once, before it listens. */
    public static AppProcess launch(Path workDir, int port, Path log, Map<String, String> extraEnv) throws Exception {
        return new AppProcess(builder(workDir, port, log, extraEnv).start(), port, log);
    }

    /** Runs the application until it exits by itself (a start-up failure); returns its exit status. */
    public static int runToExit(Path workDir, int port, Path log, Map<String, String> extraEnv) throws Exception {
        Process p = builder(workDir, port, log, extraEnv).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the application did not stop by itself");
        }
        return p.exitValue();
    }

    /**
     * Starts the application with these JVM options before {@code -jar} (or the class name), and returns at once, before
     * it listens.
     */
    public static AppProcess launch(Path workDir, int port, Path log, Map<String, String> extraEnv,
            List<String> jvmOptions) throws Exception {
        return new AppProcess(builder(workDir, port, log, extraEnv, jvmOptions).start(), port, log);
    }

    private static ProcessBuilder builder(Path workDir, int port, Path log, Map<String, String> extraEnv)
            throws java.io.IOException {
        return builder(workDir, port, log, extraEnv, List.of());
    }

    private static ProcessBuilder builder(Path workDir, int port, Path log, Map<String, String> extraEnv,
            List<String> jvmOptions) throws java.io.IOException {
        Files.createDirectories(workDir);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        // the packaged jar when the build made one (the *IT tests run after package), else the test classpath; the jar
        // with its class archive when the build recorded one, as the README starts it
        String jar = System.getProperty("etl.jar");
        boolean packaged = jar != null && Files.exists(Path.of(jar));
        String archive = System.getProperty("etl.archive");
        if (packaged && archive != null && Files.exists(Path.of(archive))) {
            command.add("-XX:SharedArchiveFile=" + archive);
        }
        command.addAll(jvmOptions);
        if (packaged) {
            command.addAll(List.of("-jar", jar));
        } else {
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), "etl.Application"));
        }
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.directory(workDir.toFile());
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> env = pb.environment();
        env.put("ETL_HTTP_PORT", Integer.toString(port));
        env.put("ETL_SERVER_URL", "http://localhost:" + port);
        env.put("ETL_MANAGEMENT_PORT", Integer.toString(port + 1000));
        env.put("ETL_PROCESSOR_POLL_MS", "100");
        env.put("ETL_INBOX_POLL_MS", "100");
        env.put("ETL_INBOX_CHUNK_LINES", "1000");
        env.put("ETL_CLIENT_RETRY_INITIAL_MS", "100");
        env.put("ETL_CLIENT_RETRY_MAX_MS", "1000");
        // an empty value unsets the variable (ETL_SERVER_URL, to test its default)
        extraEnv.forEach((k, v) -> {
            if (v.isEmpty()) {
                env.remove(k);
            } else {
                env.put(k, v);
            }
        });
        return pb;
    }

    private void awaitHttp(long timeoutMillis) throws Exception {
        long end = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < end) {
            if (!process.isAlive()) {
                throw new AssertionError("the application exited with " + process.exitValue() + "; the end of its log "
                        + log + ":\n" + tail(log, 40));
            }
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create("http://localhost:" + port + "/userEvents/ping")
                        .toURL().openConnection();
                c.setConnectTimeout(500);
                // until the routes are up, 503 (the start-up gate); then our JSON 404, or 401 when the token is required
                int code = c.getResponseCode();
                if ((code == 404 || code == 401) && String.valueOf(c.getContentType()).startsWith("application/json")) {
                    return;
                }
            } catch (java.io.IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the application did not answer on port " + port + " in " + timeoutMillis
                + " ms; the end of its log " + log + ":\n" + tail(log, 40) + "\n---- the database's lines in that log"
                + " (every process's):\n" + databaseLines(log, 40) + "\n---- where its start-up waits (jcmd "
                + process.pid() + " Thread.print):\n" + startupThreads());
    }

    /**
     * The last lines of the log about the embedded PostgreSQL: its starts and restarts (Database) and the server's own
     * output (EmbeddedPostgres), which a tail of a log shared by several processes loses.
     */
    static String databaseLines(Path log, int lines) {
        try {
            return last(Files.readAllLines(log, java.nio.charset.StandardCharsets.ISO_8859_1).stream()
                    .filter(l -> l.contains(" Database - ") || l.contains(" EmbeddedPostgres - ")).toList(), lines);
        } catch (java.io.IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /**
     * The stacks of the threads a start-up waits in (main, database-start, the PostgreSQL watchdog), from the JDK's
     * jcmd: what a start that did not end was doing.
     */
    private String startupThreads() {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (!process.isAlive() || !Files.isExecutable(jcmd)) {
            return "(no jcmd, or the process is gone)";
        }
        try {
            // into a file beside the log, so that a jcmd that hangs is given up after 20 s rather than read forever
            Path out = log.resolveSibling("threads-" + process.pid() + ".txt");
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), "Thread.print")
                    .redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            String dump = Files.readString(out, java.nio.charset.StandardCharsets.UTF_8);
            StringBuilder wanted = new StringBuilder();
            for (String block : dump.split("\n\\s*\n")) {
                if (block.startsWith("\"main\"") || block.startsWith("\"database-start\"")
                        || block.startsWith("\"embedded-postgres-watchdog\"")) {
                    wanted.append(block).append("\n\n");
                }
            }
            return wanted.length() > 0 ? wanted.toString() : dump;
        } catch (java.io.IOException | InterruptedException e) {
            return "(jcmd failed: " + e + ")";
        }
    }

    /** The last lines of a log (shared by several processes, so a few of another's may be among them). */
    static String tail(Path log, int lines) {
        try {
            return last(Files.readAllLines(log, java.nio.charset.StandardCharsets.ISO_8859_1), lines);
        } catch (java.io.IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /** Removes a folder and all in it, if it is there: a run that must not find what an earlier one left. */
    public static void deleteTree(Path dir) throws java.io.IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static String last(List<String> all, int lines) {
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /** kill -9: no shutdown hook, no graceful stop. */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy(); // SIGTERM: graceful stop
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

}
