package etl.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import etl.config.Roles;

/** The roles are chosen once, by configuration: a process starts exactly the routes of its roles. */
class RolesIT {

    private static final Pattern STARTED = Pattern.compile("    Started ([a-z-]+) \\(");

    /** The log of the last process started by {@link #startedRoutes}. */
    private static String lastLog;

    private static Set<String> startedRoutes(String roles, int port) throws Exception {
        Path work = Path.of("target", "roles-" + roles.replace(',', '-')).toAbsolutePath();
        Files.createDirectories(work);
        Path log = work.resolve("app.log");
        Files.deleteIfExists(log);
        try (AppProcess app = AppProcess.launch(work, port, log, Map.of("ETL_ROLES", roles,
                "ETL_EMBEDDED_PG_DIR", "../it/pg-roles"))) {
            Waits.until("started", 60_000, () -> Files.exists(log) && Files.readString(log).contains(") started in"));
            // the JIT's warm-up (etl.config.WarmUp) runs beside the start-up and may end after it
            Waits.until("warmed up", 60_000, () -> Files.readString(log).contains("JIT warm-up: "));
        }
        lastLog = Files.readString(log);
        Set<String> ids = new TreeSet<>();
        Matcher m = STARTED.matcher(Files.readString(log));
        while (m.find()) {
            ids.add(m.group(1));
        }
        return ids;
    }

    @Test
    void aProcessorStartsOnlyTheProcessorsRoutes() throws Exception {
        Set<String> ids = startedRoutes("processor", 18760);
        // the processor's eight, and the status page's sampler, which every process has
        assertEquals(Set.of("archive-retention", "batch-halves", "key-retention", "outbox-batch", "outbox-file",
                "outbox-processor", "outbox-request", "spool-orphans", "status-sampler"), ids);
        // the warm-up ran the processor's code (and the server's, which writes the spool lines it reads), not the client's
        assertTrue(lastLog.contains("JIT warm-up: 100000 synthetic events through the client's (0 lines), the server's"
                + " (100000) and the processor's (100000) parsers"), lastLog);
    }

    @Test
    void aServerAndClientStartTheirsAndNoProcessor() throws Exception {
        Set<String> ids = startedRoutes("server,client", 18762);
        assertTrue(ids.containsAll(Set.of("http-ingest", "http-query", "outbox-spool", "inbox-client",
                "inbox-send-chunk", "http-not-found")), ids.toString());
        assertFalse(ids.stream().anyMatch(id -> id.startsWith("outbox-") && !id.equals("outbox-spool")), ids.toString());
        assertTrue(lastLog.contains("JIT warm-up: 100000 synthetic events through the client's (100000 lines), the"
                + " server's (100000) and the processor's (0) parsers"), lastLog);
    }

    @Test
    void theRolesNameTheirListsOfRouteBuilders() {
        assertEquals("{{etl.routes.common}},{{etl.routes.client}},{{etl.routes.server}}",
                Roles.routesBuilderClasses(Set.of("server", "client")));
    }
}
