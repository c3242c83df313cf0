package etl.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** A process that cannot bind its port, reach its database or write its folders stops with one clear line. */
class StartupFailureTest {

    private static final Path WORK = Path.of("target", "startup-failures").toAbsolutePath();

    private static String run(String name, int port, Map<String, String> env) throws Exception {
        Path log = Files.createDirectories(WORK).resolve(name + ".log");
        Files.deleteIfExists(log);
        int status = AppProcess.runToExit(WORK.resolve(name), port, log, env);
        String out = Files.readString(log);
        assertEquals(1, status, out);
        String line = out.lines().filter(l -> l.startsWith("etl: cannot start: ")).findFirst()
                .orElseThrow(() -> new AssertionError("no 'etl: cannot start:' line in\n" + out));
        assertFalse(out.contains("\tat "), "a stack trace was printed:\n" + out);
        return line;
    }

    @Test
    void portInUse() throws Exception {
        try (ServerSocket taken = new ServerSocket(18095)) {
            String line = run("port", 18095, Map.of("ETL_DB_URL", "jdbc:postgresql://localhost:1/none"));
            assertTrue(line.contains("HTTP port 18095"), line);
        }
    }

    @Test
    void managementPortInUse() throws Exception {
        try (ServerSocket taken = new ServerSocket(18093)) {
            String line = run("management", 18094, Map.of("ETL_MANAGEMENT_PORT", "18093",
                    "ETL_DB_URL", "jdbc:postgresql://localhost:1/none"));
            assertTrue(line.contains("management port 18093") && line.contains("ETL_MANAGEMENT_PORT"), line);
        }
    }

    @Test
    void databaseUnreachable() throws Exception {
        String line = run("db", 18096, Map.of("ETL_DB_URL", "jdbc:postgresql://localhost:1/none",
                "ETL_DB_CONNECT_TIMEOUT_MS", "2000"));
        assertTrue(line.contains("cannot reach the external PostgreSQL jdbc:postgresql://localhost:1/none"), line);
    }

    @Test
    void outboxNotWritable() throws Exception {
        Path dir = Files.createDirectories(WORK.resolve("outbox-file"));
        Path notADir = dir.resolve("outbox");
        Files.writeString(notADir, "a file where the outbox folder should be");
        String line = run("outbox-file", 18097, Map.of("ETL_OUTBOX_DIR", notADir.toString()));
        assertTrue(line.contains("cannot write the outbox folder"), line);
    }

    @Test
    void unknownRole() throws Exception {
        String line = run("roles", 18098, Map.of("ETL_ROLES", "server,reporter"));
        assertTrue(line.contains("unknown role \"reporter\""), line);
    }
}
