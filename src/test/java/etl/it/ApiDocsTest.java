package etl.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The OpenAPI document and the Swagger UI page. The page is tested in a real headless Chromium (Debian's, driven over
 * the DevTools protocol): a person's clicks on "Try it out" and "Execute" send an event, which is then applied. A
 * screenshot is kept in target/api-docs.png. .ci/run installs Chromium; elsewhere the browser part needs it.
 */
class ApiDocsTest extends SystemTestBase {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    @Test
    void openApiDocumentDescribesEveryEndpointStatusAndBody() throws Exception {
        Http.Reply r = Http.getRaw("/openapi.json");
        assertEquals(200, r.status());
        JsonNode doc = r.json();
        assertTrue(doc.get("openapi").asText().startsWith("3."));
        JsonNode post = doc.at("/paths/~1liveEvent/post");
        for (String status : new String[] {"200", "400", "401", "413", "503"}) {
            assertTrue(post.at("/responses/" + status).isObject(), "POST /liveEvent " + status);
        }
        for (String type : new String[] {"application/json", "application/x-ndjson", "application/jsonl"}) {
            assertTrue(post.at("/requestBody/content/" + type.replace("/", "~1")).isObject(), type);
        }
        assertEquals("Idempotency-Key", post.at("/parameters/0/name").asText());
        JsonNode get = doc.at("/paths/~1userEvents~1{userId}/get");
        assertTrue(get.at("/responses/200").isObject() && get.at("/responses/404").isObject());
        assertTrue(Http.getRaw("/docs").body().contains("swagger-ui-bundle.js"));
        assertEquals(404, Http.getRaw("/docs/swagger-ui/..%2F..%2Fapplication.properties").status());
    }

    @Test
    void aPersonSendsAnEventFromTheDocsPage() throws Exception {
        boolean ci = "true".equals(System.getenv("CI"));
        assumeTrue(ci || Files.isExecutable(CHROMIUM), "Chromium is not installed (.ci/run installs it)");
        String u = user("browser");
        Path profile = Files.createTempDirectory("chromium");
        Process browser = new ProcessBuilder(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile, "--window-size=1280,1400",
                "--remote-debugging-port=18099", "about:blank")
                .redirectErrorStream(true).redirectOutput(Path.of("target", "chromium.log").toFile()).start();
        try (Cdp cdp = Cdp.connect(18099)) {
            cdp.call("Page.navigate", "{\"url\":\"" + Http.BASE + "/docs\"}");
            Waits.until("Swagger UI rendered", 20_000,
                    () -> cdp.eval("document.querySelectorAll('.opblock').length").asInt() == 2);
            // what a person does: authorize, open POST /liveEvent, Try it out, write the event, Execute
            cdp.eval("ui.preauthorizeApiKey('token', '" + TOKEN + "'); (document.querySelector("
                    + "'.opblock-post .opblock-summary-control') || document.querySelector('.opblock-post "
                    + ".opblock-summary')).click(); true");
            Waits.until("the operation opened", 5000,
                    () -> cdp.eval("!!document.querySelector('.opblock-post .opblock-body')").asBoolean());
            // the page opens operations in "Try it out" mode; a person clicks the button when it is offered
            cdp.eval("(() => { const b = [...document.querySelectorAll('.opblock-post button')]"
                    + ".find(x => x.textContent.trim() === 'Try it out'); if (b) { b.click(); } return true; })()");
            Waits.until("the body editor", 5000,
                    () -> cdp.eval("!!document.querySelector('.opblock-post textarea.body-param__text')").asBoolean());
            String event = "{\"userId\": \"" + u + "\", \"name\": \"add_revenue\", \"value\": 12.5}";
            cdp.eval("(() => { const t = document.querySelector('.opblock-post textarea.body-param__text');"
                    + " const set = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value').set;"
                    + " set.call(t, " + Http.JSON.writeValueAsString(event) + ");"
                    + " t.dispatchEvent(new Event('input', {bubbles: true})); return true; })()");
            cdp.eval("document.querySelector('.opblock-post .execute').click(); true");
            try {
                Waits.until("the server's response shown", 10_000, () -> {
                    String shown = cdp.eval("document.querySelector('.opblock-post').innerText").asText();
                    return shown.contains("Server response") && shown.contains("\"accepted\": 1");
                });
            } catch (AssertionError e) {
                screenshot(cdp, "api-docs-failed.png");
                throw new AssertionError(e.getMessage() + "; the operation shows: "
                        + cdp.eval("document.querySelector('.opblock-post').innerText").asText(), e);
            }
            Waits.revenue(u, "12.5", 5000);
            screenshot(cdp, "api-docs.png");
        } finally {
            browser.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void screenshot(Cdp cdp, String name) throws Exception {
        JsonNode shot = cdp.call("Page.captureScreenshot", "{\"format\":\"png\",\"captureBeyondViewport\":true}");
        Files.write(Path.of("target", name), Base64.getDecoder().decode(shot.get("data").asText()));
    }

    /** The few DevTools protocol calls the test needs, over the JDK's WebSocket client. */
    static final class Cdp implements WebSocket.Listener, AutoCloseable {
        private final AtomicInteger ids = new AtomicInteger();
        private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
        private final StringBuilder partial = new StringBuilder();
        private WebSocket socket;

        static Cdp connect(int port) throws Exception {
            HttpClient http = HttpClient.newHttpClient();
            String url = null;
            for (int i = 0; i < 100 && url == null; i++) {
                try {
                    JsonNode targets = Http.JSON.readTree(http.send(HttpRequest.newBuilder(
                            URI.create("http://localhost:" + port + "/json/list")).build(),
                            HttpResponse.BodyHandlers.ofString()).body());
                    for (JsonNode t : targets) {
                        if ("page".equals(t.get("type").asText())) {
                            url = t.get("webSocketDebuggerUrl").asText();
                        }
                    }
                } catch (java.io.IOException e) {
                    Thread.sleep(100);
                }
            }
            if (url == null) {
                throw new AssertionError("Chromium's DevTools did not answer");
            }
            Cdp cdp = new Cdp();
            cdp.socket = http.newWebSocketBuilder().buildAsync(URI.create(url), cdp).get(10, TimeUnit.SECONDS);
            return cdp;
        }

        JsonNode call(String method, String params) throws Exception {
            int id = ids.incrementAndGet();
            CompletableFuture<JsonNode> f = new CompletableFuture<>();
            pending.put(id, f);
            socket.sendText("{\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + params + "}", true);
            JsonNode reply = f.get(20, TimeUnit.SECONDS);
            if (reply.has("error")) {
                throw new AssertionError(method + ": " + reply.get("error"));
            }
            return reply.get("result");
        }

        JsonNode eval(String js) throws Exception {
            JsonNode r = call("Runtime.evaluate", "{\"expression\":" + Http.JSON.writeValueAsString(js)
                    + ",\"returnByValue\":true}");
            if (r.has("exceptionDetails")) {
                throw new AssertionError("script failed: " + r.get("exceptionDetails"));
            }
            return r.at("/result/value");
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    JsonNode msg = Http.JSON.readTree(partial.toString());
                    if (msg.has("id")) {
                        CompletableFuture<JsonNode> f = pending.remove(msg.get("id").asInt());
                        if (f != null) {
                            f.complete(msg);
                        }
                    }
                } catch (Exception e) {
                    // not a reply
                }
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public void close() {
            socket.abort();
        }
    }
}
