package etl.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** Liveness and readiness on the management server; readiness is down while the outbox cannot be written. */
class HealthTest extends SystemTestBase {

    private static HttpResponse<String> health(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + Http.MANAGEMENT_PORT + "/observe/health" + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void readyAndLiveWhenAllIsWell() throws Exception {
        assertEquals(200, health("/ready").statusCode(), health("/ready").body());
        assertEquals(200, health("/live").statusCode());
        assertTrue(health("/ready").body().contains("\"UP\""));
    }

    @Test
    void notReadyWhileTheOutboxCannotBeWrittenStillLive() throws Exception {
        Path away = Path.of(OUTBOX + ".away");
        Files.move(outbox(), away);
        Files.writeString(outbox(), "not a folder");
        try {
            HttpResponse<String> ready = health("/ready");
            assertEquals(503, ready.statusCode(), ready.body());
            assertTrue(ready.body().contains("outbox"), ready.body());
            assertEquals(200, health("/live").statusCode());
        } finally {
            Files.delete(outbox());
            Files.move(away, outbox());
        }
        Waits.until("ready again", 5000, () -> health("/ready").statusCode() == 200);
    }
}
