package etl.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The operator's page (/status on the management port) on the packaged application, in a real headless Chromium
 * whose network is off (every host but this machine unresolvable): with traffic, garbage bodies and an inbox file with
 * bad lines going through, the charts show non-zero rates, the inbox file's progress bar moves, the route table lists
 * every route id of the README's map, and the quarantined lines show with their reasons. Every request the page makes
 * goes to the management port. Screenshots in target/status-page*.png.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StatusPageIT {

    private static final int PORT = 18740;
    private static final int MANAGEMENT = PORT + 1000;
    private static final Path WORK = Path.of("target", "status-page").toAbsolutePath();
    private static final String PAGE = "http://127.0.0.1:" + MANAGEMENT;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** The route ids of the README's map, every role in one process, and the status page's own sampler. */
    private static final Set<String> ROUTES = new TreeSet<>(List.of("http-ingest", "http-ingest-accept",
            "outbox-spool", "http-query", "http-not-found", "api-openapi", "api-docs", "api-docs-init",
            "api-docs-assets", "outbox-processor", "outbox-batch", "outbox-file", "outbox-request", "key-retention",
            "archive-retention", "batch-halves", "spool-orphans", "inbox-client", "inbox-send-chunk",
            "status-sampler",
            // the jobs (imports, exports, audits) and the listing
            "http-list", "http-job-queue", "http-import-create", "http-import-status", "http-import-rejected",
            "http-import-list", "import-runner", "import-chunk", "http-export-create", "http-export-status",
            "http-export-file", "http-export-delete", "http-export-list", "export-runner", "export-orphans",
            "http-audit-create", "http-audit-status", "http-audit-list", "audit-runner", "job-retention"));
    /** This run's users: the embedded database outlives the folder. */
    private static final String RUN = Long.toString(System.currentTimeMillis(), 36);
    private AppProcess app;

    @BeforeAll
    void start() throws Exception {
        // a fresh folder: nothing left in inbox/.done/ or .rejected/ by an earlier run
        AppProcess.deleteTree(WORK);
        Files.createDirectories(WORK);
        app = AppProcess.start(WORK, PORT, WORK.resolve("app.log"), Map.of(
                "ETL_STATUS_SAMPLE_MS", "500",
                "ETL_INBOX_CHUNK_LINES", "200",
                "ETL_EMBEDDED_PG_DIR", "../it/pg-status"));
    }

    @AfterAll
    void stop() throws Exception {
        if (app != null) {
            app.close();
        }
    }

    private static HttpResponse<byte[]> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static int post(byte[] body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + PORT + "/liveEvent"))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "secret")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** A large inbox file whose valid lines are interleaved with byte-level garbage, dropped by a move. */
    private static void dropInboxFile(String name, int lines) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}); // a BOM before the first line is skipped
        for (int i = 0; i < lines; i++) {
            switch (i % 5000) {
                case 17 -> out.write("not json\n".getBytes(StandardCharsets.UTF_8));
                case 99 -> out.write(new byte[] {'{', '"', 'u', (byte) 0xFE, (byte) 0xFF, '}', '\n'});
                case 250 -> out.write("{\"userId\":\"a\u0000b\",\"name\":\"add_revenue\",\"value\":1}\n"
                        .getBytes(StandardCharsets.UTF_8));
                case 400 -> out.write("{\"userId\":\"t\\ud800\",\"name\":\"add_revenue\",\"value\":1}\n"
                        .getBytes(StandardCharsets.UTF_8));
                default -> out.write(("{\"userId\":\"page-" + RUN + "-" + (i % 300) + "\",\"name\":\"add_revenue\",\"value\":1}\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
        }
        Path tmp = WORK.resolve(name + ".part");
        Files.write(tmp, out.toByteArray());
        Files.createDirectories(WORK.resolve("inbox"));
        Files.move(tmp, WORK.resolve("inbox").resolve(name));
    }

    @Test
    void thePageHoldsNoAddressOfElsewhere() throws Exception {
        for (String path : List.of("/status", "/status/status.js", "/status/status.css")) {
            HttpResponse<byte[]> r = get(PAGE + path);
            assertEquals(200, r.statusCode(), path);
            String text = new String(r.body(), StandardCharsets.UTF_8);
            assertFalse(text.contains("http://") || text.contains("https://") || text.contains("//cdn"),
                    path + " names an outside address");
        }
        HttpResponse<byte[]> doc = get(PAGE + "/status.json");
        assertEquals(200, doc.statusCode());
        assertTrue(doc.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        JsonNode json = Http.JSON.readTree(doc.body());
        Set<String> ids = new TreeSet<>();
        json.get("routes").forEach(r -> ids.add(r.get("id").asText()));
        assertEquals(ROUTES, ids);
        assertEquals(404, get(PAGE + "/status/../application.properties").statusCode());
    }

    @Test
    void anOperatorSeesRatesProgressRoutesAndWhereTheBadInputWent() throws Exception {
        assumeTrue(Cdp.Browser.available(), "Chromium is not installed (.ci/run installs it)");
        AtomicBoolean sending = new AtomicBoolean(true);
        List<Integer> statuses = new ArrayList<>();
        Thread traffic = new Thread(() -> {
            // bounded: at most 3,000 requests, until the test is done with the page
            for (int i = 0; i < 3000 && sending.get(); i++) {
                try {
                    byte[] body = i % 10 == 0
                            ? new byte[] {'{', '"', 'u', 's', (byte) 0xC0, (byte) 0xAF, '"', '}'} // overlong UTF-8
                            : ("{\"userId\":\"live-" + (i % 50) + "\",\"name\":\"add_revenue\",\"value\":1}")
                                    .getBytes(StandardCharsets.UTF_8);
                    synchronized (statuses) {
                        statuses.add(post(body));
                    }
                    Thread.sleep(5);
                } catch (Exception e) {
                    return;
                }
            }
        });
        traffic.start();
        try (Cdp.Browser browser = Cdp.Browser.launch(18098, "--window-size=1400,1800",
                // the network is off: no host but this machine resolves
                "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1");
                Cdp cdp = browser.connect()) {
            cdp.call("Network.enable", "{}");
            cdp.call("Page.navigate", "{\"url\":\"" + PAGE + "/status?refresh=300\"}");
            Waits.until("the charts drawn", 20_000,
                    () -> cdp.eval("document.querySelectorAll('.uplot canvas').length").asInt() >= 3);

            dropInboxFile("big.jsonl", 150_000);
            // the progress bar of the file being read: several values seen, growing, before the file is done
            List<Double> seen = new ArrayList<>();
            long end = System.currentTimeMillis() + 60_000;
            boolean done = false;
            boolean shot = false;
            while (System.currentTimeMillis() < end && !done) {
                JsonNode bars = cdp.eval("[...document.querySelectorAll('#work progress')].map(p => p.value)");
                if (bars.size() > 0) {
                    double v = bars.get(0).asDouble();
                    if (seen.isEmpty() || v != seen.get(seen.size() - 1)) {
                        seen.add(v);
                    }
                    if (!shot && (v >= 0.3 || seen.size() == 3)) {
                        cdp.screenshot("status-page.png");
                        shot = true;
                    }
                }
                done = Files.exists(WORK.resolve("inbox/.done/big.jsonl"));
                Thread.sleep(50);
            }
            assertTrue(done, "the inbox file was not read within a minute");
            assertTrue(seen.size() >= 2, "the progress bar did not move: " + seen);
            for (int i = 1; i < seen.size(); i++) {
                assertTrue(seen.get(i) > seen.get(i - 1), "the progress went back: " + seen);
            }
            assertTrue(seen.get(0) < 1.0, "the bar was never seen before the end: " + seen);

            Waits.until("non-zero rates of accepted, applied and rejected events in the chart", 20_000, () -> cdp.eval(
                    "(() => { const d = window.etlStatus.charts.rates.data;"
                            + " return [1, 2, 3].every(s => d[s].some(v => v > 0)); })()").asBoolean());
            assertTrue(cdp.eval("window.etlStatus.state.last.rates.lagSeconds.some(v => v != null)").asBoolean(),
                    "no apply lag sampled");

            Set<String> shown = new TreeSet<>();
            cdp.eval("[...document.querySelectorAll('#routes tbody tr')].map(r => r.dataset.routeId)")
                    .forEach(n -> shown.add(n.asText()));
            assertEquals(ROUTES, shown, "the route table");

            Waits.until("the quarantined lines with their reasons", 20_000, () -> {
                String text = cdp.eval("document.querySelector('#rejections').innerText").asText();
                return text.contains("big.jsonl.rejected.jsonl") && text.contains("not valid JSON")
                        && text.contains("inbox");
            });
            // a job: an export, shown with its kind, its status and its progress bar
            HttpResponse<String> export = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + PORT
                    + "/exports")).header("Authorization", "secret").POST(HttpRequest.BodyPublishers.ofString(
                    "{\"format\":\"csv\",\"userIdPrefix\":\"live-\"}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(202, export.statusCode(), export.body());
            String exportId = Http.JSON.readTree(export.body()).get("id").asText();
            Waits.until("the export in the page's jobs, completed", 20_000, () -> cdp.eval(
                    "[...document.querySelectorAll('#jobs tbody tr')].some(r => r.innerText.includes('"
                            + exportId.substring(0, 8) + "') && r.innerText.includes('export') && r.innerText"
                            + ".includes('completed') && r.querySelector('progress').value === 1)").asBoolean());
            assertEquals("UP", cdp.eval("document.querySelector('#health').textContent").asText());
            String checks = cdp.eval("document.querySelector('#checks').innerText").asText();
            assertTrue(checks.contains("database") && checks.contains("outbox") && checks.contains("context"),
                    "the health checks: " + checks);
            cdp.screenshot("status-page-end.png");

            // every request of the page went to the management port: nothing from elsewhere
            List<JsonNode> requests = cdp.events("Network.requestWillBeSent");
            assertFalse(requests.isEmpty());
            for (JsonNode r : requests) {
                String url = r.at("/request/url").asText();
                assertTrue(url.startsWith(PAGE + "/"), "the page fetched " + url);
            }
        } finally {
            sending.set(false);
            traffic.join(10_000);
        }
        synchronized (statuses) {
            assertTrue(statuses.contains(200) && statuses.contains(400), "traffic: " + new TreeSet<>(statuses));
        }
    }
}
