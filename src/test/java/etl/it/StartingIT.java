package etl.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * While the process starts, the API's paths answer 503 in JSON with Retry-After (or the port is closed): never a 404
 * or an HTML page, which a client takes as final.
 */
class StartingIT {

    @Test
    void noHtmlAndNo404WhileStarting() throws Exception {
        Path work = Path.of("target", "starting").toAbsolutePath();
        Files.createDirectories(work);
        int port = 18097;
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofMillis(200)).build();
        List<String> seen = new ArrayList<>();
        int served = 0;
        int unavailable = 0;
        int refused = 0;
        try (AppProcess app = AppProcess.launch(work, port, work.resolve("app.log"),
                Map.of("ETL_ROLES", "server", "ETL_EMBEDDED_PG_DIR", "../it/pg-starting"))) {
            long end = System.currentTimeMillis() + 60_000;
            while (System.currentTimeMillis() < end && served < 20) {
                for (HttpRequest r : new HttpRequest[] {
                    HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/userEvents/nobody")).GET().build(),
                    HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/liveEvent"))
                            .header("Authorization", "secret")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"userId\":\"starting\",\"name\":\"add_revenue\","
                                    + "\"value\":1}")).build()}) {
                    HttpResponse<String> resp;
                    try {
                        resp = client.send(r, HttpResponse.BodyHandlers.ofString());
                    } catch (java.io.IOException e) {
                        refused++;
                        continue; // not listening yet: allowed
                    }
                    String ct = resp.headers().firstValue("content-type").orElse("");
                    String what = resp.statusCode() + " " + ct + " " + resp.body();
                    boolean api = r.uri().getPath().startsWith("/liveEvent") ? resp.statusCode() == 200
                            : resp.statusCode() == 404 && resp.body().contains("no event applied");
                    if (resp.statusCode() == 503) {
                        unavailable++;
                        assertTrue(resp.headers().firstValue("retry-after").isPresent(), what);
                    } else if (api) {
                        served++;
                    } else {
                        seen.add(what);
                    }
                    assertTrue(ct.startsWith("application/json"), what);
                }
            }
            assertTrue(seen.isEmpty(), "answers while starting: " + seen);
            assertEquals(20, Math.min(served, 20), "the API never came up");
            System.out.println("StartingIT: " + refused + " refused, " + unavailable
                    + " answers 503 while starting, then served");
        }
    }
}
