package etl.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/**
 * kill -9 of the embedded PostgreSQL: the process that owns it starts it again on the same port, every connection
 * comes back by itself, nothing committed is lost, and what was accepted meanwhile is applied.
 */
class DatabaseKillTest extends SystemTestBase {

    private static long postmasterPid() throws Exception {
        return Long.parseLong(Files.readAllLines(Path.of("target/it/pg/postmaster.pid")).get(0).trim());
    }

    @Test
    void theEmbeddedServerKilledIsStartedAgainAndNothingIsLost() throws Exception {
        String u = user("pgkill");
        for (int i = 0; i < 20; i++) {
            assertEquals(200, Http.post("{\"userId\":\"" + u + "\",\"name\":\"add_revenue\",\"value\":1}", AUTH, TOKEN)
                    .status());
        }
        Waits.revenue(u, "20", 10_000);
        long pid = postmasterPid();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        Waits.until("the postmaster gone", 10_000, () -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
        // the server keeps accepting into the outbox meanwhile
        for (int i = 0; i < 5; i++) {
            Http.Reply r = Http.post("{\"userId\":\"" + u + "\",\"name\":\"add_revenue\",\"value\":2}", AUTH, TOKEN);
            assertEquals(200, r.status(), r.body());
        }
        Waits.revenue(u, "30", 60_000);
        assertNotEquals(pid, postmasterPid());
    }
}
