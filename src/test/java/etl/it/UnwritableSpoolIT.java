package etl.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** A spool that cannot be written: 503 with a JSON error, and nothing is acknowledged that is not on disk. */
class UnwritableSpoolIT {

    private static final int PORT = 18720;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static HttpResponse<String> post(String user, String value) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + PORT + "/liveEvent"))
                .header("Authorization", "secret")
                .POST(HttpRequest.BodyPublishers.ofString("{\"userId\":\"" + user
                        + "\",\"name\":\"add_revenue\",\"value\":" + value + "}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String user) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + PORT + "/userEvents/" + user)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void spoolThatCannotBeWrittenAnswers503AndKeepsNothing() throws Exception {
        Path work = Path.of("target", "unwritable-" + System.currentTimeMillis()).toAbsolutePath();
        Path log = Files.createDirectories(work).resolve("app.log");
        String user = "spool-" + System.nanoTime();
        try (AppProcess app = AppProcess.start(work, PORT, log, Map.of())) {
            assertEquals(200, post(user, "1").statusCode());
            Waits.until("the first event applied", 10_000, () -> get(user).statusCode() == 200);

            // the outbox is gone and a file stands in its place (as root, a read-only folder is still writable)
            Path outbox = work.resolve("outbox");
            Path away = work.resolve("outbox.away");
            Files.move(outbox, away);
            Files.writeString(outbox, "not a folder");
            HttpResponse<String> refused = post(user, "100");
            assertEquals(503, refused.statusCode(), refused.body());
            assertTrue(refused.headers().firstValue("content-type").orElse("").startsWith("application/json"));
            assertTrue(refused.body().contains("\"error\""), refused.body());
            assertFalse(refused.body().contains("Exception"), refused.body());

            Files.delete(outbox);
            Files.move(away, outbox);
            assertEquals(200, post(user, "2").statusCode());
            Waits.until("the total", 10_000, () -> get(user).body().contains("\"revenue\":3"));
            Thread.sleep(500);
            assertTrue(get(user).body().contains("\"revenue\":3}"), "the refused event was applied: " + get(user).body());
        } finally {
            RestartTest.stopLeftoverPostgres(work.resolve("data/pg"));
        }
    }
}
