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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * POST /liveEvent does not hold a Vert.x worker while its request waits for its group commit (etl.http.
 * ResumingHttpEngine): with a single worker, many requests sent at once are still committed together, a few groups
 * for all of them, and every one answered 200 is applied. With Camel's own consumer the one worker waited for each
 * request's flush in turn: one group per request.
 */
class ResumingIngestIT {

    private static final int PORT = 18760;
    private static final int REQUESTS = 64;

    private static Map<String, Double> metrics(HttpClient http) throws Exception {
        String text = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + (PORT + 1000)
                + "/observe/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        Map<String, Double> m = new HashMap<>();
        for (String line : text.split("\n")) {
            if (!line.startsWith("#") && !line.isBlank()) {
                int sp = line.lastIndexOf(' ');
                m.put(line.substring(0, sp), Double.parseDouble(line.substring(sp + 1)));
            }
        }
        return m;
    }

    /** REQUESTS single-event POSTs at once, each on a connection of its own; every one answered 200. */
    private static void sendAll(HttpClient http, String user) throws Exception {
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            answers.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://localhost:" + PORT + "/liveEvent"))
                    .header("Authorization", "secret").timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"userId\":\"" + user
                            + "\",\"name\":\"add_revenue\",\"value\":1}")).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> a : answers) {
            HttpResponse<String> r = a.get(60, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(r.body().contains("\"accepted\":1"), r.body());
        }
    }

    @Test
    void withOneWorkerConcurrentRequestsAreStillCommittedTogether() throws Exception {
        Path work = Path.of("target", "resuming-" + System.currentTimeMillis()).toAbsolutePath();
        Path log = Files.createDirectories(work).resolve("app.log");
        String user = "resuming-" + System.nanoTime();
        // one connection per request, all open at once
        var pool = Executors.newFixedThreadPool(REQUESTS);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(pool)
                .connectTimeout(Duration.ofSeconds(5)).build();
        try (AppProcess app = AppProcess.start(work, PORT, log, Map.of("ETL_HTTP_WORKER_THREADS", "1"))) {
            String commits = "etl_log_commits_total{log=\"outbox\"}";
            String committed = "etl_log_committed_requests_total{log=\"outbox\"}";
            sendAll(http, user); // the first round opens the connections and warms the code
            Map<String, Double> before = metrics(http);
            sendAll(http, user);
            Map<String, Double> after = metrics(http);
            double groups = after.get(commits) - before.getOrDefault(commits, 0.0);
            double requests = after.get(committed) - before.getOrDefault(committed, 0.0);
            assertEquals(REQUESTS, requests, "every request answered 200 was committed once");
            System.out.println(REQUESTS + " requests at once, one worker: " + groups + " group commits");
            // Camel's consumer: exactly REQUESTS, always (the one worker holds each request through its flush); this
            // one: 19-33 here. How many share a group depends on the worker's pace against the flush's, so the bar is
            // well above that, and below one per request.
            assertTrue(groups <= REQUESTS * 7 / 8, REQUESTS + " requests took " + groups + " group commits: the worker"
                    + " waited for each one's flush");
            Waits.until("the total", 15_000, () -> http.send(HttpRequest.newBuilder(URI.create("http://localhost:"
                    + PORT + "/userEvents/" + user)).build(), HttpResponse.BodyHandlers.ofString()).body()
                    .contains("\"revenue\":" + 2 * REQUESTS));
        } finally {
            pool.shutdownNow();
            RestartTest.stopLeftoverPostgres(work.resolve("data/pg"));
        }
    }
}
