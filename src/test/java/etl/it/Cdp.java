package etl.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The few DevTools protocol calls the browser tests need, over the JDK's WebSocket client (no Selenium): calls,
 * scripts evaluated in the page, the events the browser sends (network requests, say), screenshots into target/.
 */
final class Cdp implements WebSocket.Listener, AutoCloseable {

    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final List<JsonNode> events = new CopyOnWriteArrayList<>();
    private final StringBuilder partial = new StringBuilder();
    private WebSocket socket;

    /** Debian's headless Chromium, started as the machine's probe starts it (no network of its own), on a port. */
    static final class Browser implements AutoCloseable {
        static final Path CHROMIUM = Path.of("/usr/bin/chromium");
        private final Process process;
        private final int port;

        private Browser(Process process, int port) {
            this.process = process;
            this.port = port;
        }

        /** True when Chromium is there; in CI it must be (.ci/run installs it), so a test does not skip there. */
        static boolean available() {
            return "true".equals(System.getenv("CI")) || Files.isExecutable(CHROMIUM);
        }

        static Browser launch(int port, String... flags) throws Exception {
            Path profile = Files.createTempDirectory("chromium");
            List<String> command = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox",
                    "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile,
                    "--remote-debugging-port=" + port));
            command.addAll(List.of(flags));
            command.add("about:blank");
            Files.createDirectories(Path.of("target"));
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(Path.of("target", "chromium-" + port + ".log").toFile()).start();
            return new Browser(p, port);
        }

        Cdp connect() throws Exception {
            return Cdp.connect(port);
        }

        @Override
        public void close() throws InterruptedException {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

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

    /** The events of one kind the browser has sent so far (after the domain was enabled), e.g. Network.requestWillBeSent. */
    List<JsonNode> events(String method) {
        return events.stream().filter(e -> method.equals(e.path("method").asText())).map(e -> e.get("params")).toList();
    }

    void screenshot(String name) throws Exception {
        JsonNode shot = call("Page.captureScreenshot", "{\"format\":\"png\",\"captureBeyondViewport\":true}");
        Files.write(Path.of("target", name), Base64.getDecoder().decode(shot.get("data").asText()));
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
                } else if (msg.has("method")) {
                    events.add(msg);
                }
            } catch (Exception e) {
                // not a message
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
