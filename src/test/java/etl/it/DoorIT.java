package etl.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The door, tried as an attacker would, on the packaged application: the token only in its header and checked before
 * any body byte is read, bodies bounded in size and time without starving the workers, idle connections closed,
 * the management port on loopback and terse, security headers on every answer, every answer JSON, key lengths in
 * characters, the client following the configured port.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DoorIT {

    private static final int PORT = 18720;
    private static final int MANAGEMENT = PORT + 1000;
    private static final Path WORK = Path.of("target", "door").toAbsolutePath();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private AppProcess app;

    @BeforeAll
    void start() throws Exception {
        Files.createDirectories(WORK);
        app = AppProcess.start(WORK, PORT, WORK.resolve("app.log"), Map.of(
                "ETL_HTTP_IDLE_TIMEOUT_S", "2",
                "ETL_HTTP_BODY_TIMEOUT_MS", "2000",
                "ETL_HTTP_WORKER_THREADS", "4",
                "ETL_QUERY_REQUIRE_TOKEN", "true",
                "ETL_EMBEDDED_PG_DIR", "../it/pg-door",
                // unset: the client must post to this process's own port, not to 8000
                "ETL_SERVER_URL", ""));
    }

    @AfterAll
    void stop() throws Exception {
        if (app != null) {
            app.close();
        }
    }

    private static String event(String user, String value) {
        return "{\"userId\":\"" + user + "\",\"name\":\"add_revenue\",\"value\":" + value + "}";
    }

    private static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return HTTP.send(b.timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder post(String pathAndQuery, String body) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + PORT + pathAndQuery))
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private static HttpRequest.Builder get(String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + PORT + pathAndQuery)).GET()
                .header("Authorization", "secret");
    }

    private static String revenue(String user) throws Exception {
        HttpResponse<String> r = send(get("/userEvents/" + user));
        return r.statusCode() == 200 ? Http.JSON.readTree(r.body()).get("revenue").asText() : r.statusCode() + "";
    }

    private static void awaitRevenue(String user, String expected) throws Exception {
        Waits.until(user + " at " + expected, 10_000, () -> expected.equals(revenue(user)));
    }

    /** A raw HTTP/1.1 exchange: what a client can send that Java's HttpClient refuses to. */
    private static String raw(byte[] request, int timeoutMillis) throws IOException {
        try (Socket s = new Socket("localhost", PORT)) {
            s.setSoTimeout(timeoutMillis);
            s.getOutputStream().write(request);
            s.getOutputStream().flush();
            return readSome(s.getInputStream());
        }
    }

    private static String readSome(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
                String text = out.toString(StandardCharsets.ISO_8859_1);
                int head = text.indexOf("\r\n\r\n");
                if (head > 0) {
                    int cl = text.toLowerCase().indexOf("content-length: ");
                    if (cl > 0) {
                        int len = Integer.parseInt(text.substring(cl + 16, text.indexOf("\r\n", cl)).trim());
                        if (out.size() >= head + 4 + len) {
                            break;
                        }
                    }
                }
            }
        } catch (SocketTimeoutException e) {
            // what came is what we have
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static void assertJsonAnswer(String response, int status) {
        assertTrue(response.startsWith("HTTP/1.1 " + status), response);
        assertTrue(response.toLowerCase().contains("content-type: application/json"), response);
        assertTrue(response.contains("{\"error\":"), response);
    }

    @Test
    void theTokenCountsOnlyInItsHeader() throws Exception {
        String u = "door-url-" + System.nanoTime();
        HttpResponse<String> inUrl = send(post("/liveEvent?Authorization=secret", event(u, "1")));
        assertEquals(401, inUrl.statusCode(), inUrl.body());
        // a query parameter named like a header is not that header: the key below is not an Idempotency-Key
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> r = send(post("/liveEvent?Idempotency-Key=k-" + u, event(u, "1"))
                    .header("Authorization", "secret"));
            assertEquals(200, r.statusCode(), r.body());
            assertFalse(r.body().contains("duplicate"), r.body());
        }
        awaitRevenue(u, "2");
        HttpResponse<String> query = send(HttpRequest.newBuilder(URI.create("http://localhost:" + PORT + "/userEvents/"
                + u + "?Authorization=secret")).GET());
        assertEquals(401, query.statusCode(), query.body());
    }

    @Test
    void anUnauthenticatedBodyIsNeverRead() throws Exception {
        long t0 = System.nanoTime();
        try (Socket s = new Socket("localhost", PORT)) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /liveEvent HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 104857600\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[64 * 1024]);
            out.flush();
            String answer = readSome(s.getInputStream());
            assertJsonAnswer(answer, 401);
        }
        assertTrue((System.nanoTime() - t0) < 3_000_000_000L, "the 401 waited for the body");
    }

    @Test
    void slowBodiesAre408AndDoNotStarveTheOthers() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<String>> slow = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            slow.add(pool.submit(() -> {
                try (Socket s = new Socket("localhost", PORT)) {
                    s.setSoTimeout(10_000);
                    OutputStream out = s.getOutputStream();
                    out.write(("POST /liveEvent HTTP/1.1\r\nHost: localhost\r\nAuthorization: secret\r\n"
                            + "Content-Length: 1000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    for (int b = 0; b < 6; b++) {
                        Thread.sleep(500);
                        try {
                            out.write('[');
                            out.flush();
                        } catch (IOException closed) {
                            break;
                        }
                    }
                    return readSome(s.getInputStream());
                }
            }));
        }
        Thread.sleep(300);
        // 8 slow senders, 4 workers: the others are served at once
        String u = "door-fast-" + System.nanoTime();
        for (int i = 0; i < 5; i++) {
            long t0 = System.nanoTime();
            HttpResponse<String> r = send(post("/liveEvent", event(u, "1")).header("Authorization", "secret"));
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(send(get("/userEvents/" + u)).statusCode() >= 200);
            assertTrue((System.nanoTime() - t0) < 1_000_000_000L, "a request waited behind the slow ones");
        }
        for (Future<String> f : slow) {
            assertJsonAnswer(f.get(), 408);
        }
        pool.shutdown();
        awaitRevenue(u, "5");
    }

    @Test
    void idleConnectionsAreClosed() throws Exception {
        try (Socket s = new Socket("localhost", PORT)) {
            s.setSoTimeout(6000);
            long t0 = System.nanoTime();
            assertEquals(-1, s.getInputStream().read(), "a connection that sent nothing was not closed");
            assertTrue((System.nanoTime() - t0) < 5_000_000_000L);
        }
    }

    @Test
    void theManagementPortIsLoopbackAndTerse() throws Exception {
        assertTrue(Files.readString(WORK.resolve("app.log")).contains("HttpServer started on 127.0.0.1:" + MANAGEMENT));
        HttpResponse<String> full = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + MANAGEMENT
                + "/observe/health?exposureLevel=full")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, full.statusCode(), full.body());
        HttpResponse<String> withToken = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + MANAGEMENT
                + "/observe/health?exposureLevel=full")).header("Authorization", "secret").build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, withToken.statusCode(), withToken.body());
        HttpResponse<String> none = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + MANAGEMENT
                + "/nothing")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, none.statusCode());
        assertTrue(none.headers().firstValue("content-type").orElse("").startsWith("application/json"), none.body());
        String metrics = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + MANAGEMENT
                + "/observe/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertFalse(metrics.contains("endpointName=") || metrics.contains("sql:") || metrics.contains(WORK.toString()),
                "metrics labels name endpoints, SQL or paths");
    }

    @Test
    void everyAnswerCarriesSecurityHeadersAndTheDocsKeepNoToken() throws Exception {
        for (HttpResponse<String> r : List.of(send(get("/userEvents/nobody")), send(get("/docs")),
                send(get("/no/such/path")), send(post("/liveEvent", "{}")))) {
            assertEquals("nosniff", r.headers().firstValue("x-content-type-options").orElse(""), r.uri().toString());
            assertEquals("DENY", r.headers().firstValue("x-frame-options").orElse(""), r.uri().toString());
            assertTrue(r.headers().firstValue("content-security-policy").orElse("").contains("frame-ancestors 'none'"));
        }
        String docs = send(get("/docs")).body() + send(get("/docs/init.js")).body();
        assertTrue(docs.contains("persistAuthorization: false") && !docs.contains("persistAuthorization: true"), docs);
    }

    @Test
    void oddRequestsGetJsonAnswers() throws Exception {
        String u = "door-odd-" + System.nanoTime();
        assertEquals(200, send(post("/liveEvent", event(u, "3")).header("Authorization", "secret")).statusCode());
        awaitRevenue(u, "3");
        // a query parameter or a header named userId is not the path's user id
        HttpResponse<String> q = send(get("/userEvents/" + u + "?userId=x"));
        assertEquals(200, q.statusCode(), q.body());
        assertEquals(u, Http.JSON.readTree(q.body()).get("userId").asText());
        HttpResponse<String> h = send(get("/userEvents/" + u).header("userId", "x"));
        assertEquals(200, h.statusCode(), h.body());
        HttpResponse<String> nul = send(get("/userEvents/a%00b"));
        assertEquals(404, nul.statusCode(), nul.body());
        assertTrue(nul.headers().firstValue("content-type").orElse("").startsWith("application/json"));
        assertJsonAnswer(raw(("GET /userEvents/a%ZZ HTTP/1.1\r\nHost: x\r\nAuthorization: secret\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII), 3000), 400);
        assertJsonAnswer(raw(("GET /userEvents/a HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1), 3000), 400);
        assertJsonAnswer(raw(("GET /userEvents/a HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(10_000) + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII), 3000), 431);
        assertJsonAnswer(raw(("GET /userEvents/" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII), 3000), 414);
    }

    @Test
    void keysCountCharactersAndReasonsSpeakPlainly() throws Exception {
        String u = "door-key-" + System.nanoTime();
        String cyrillic = (u + "ключ".repeat(40)).substring(0, 150); // 150 characters, over 200 bytes in UTF-8
        assertTrue(cyrillic.getBytes(StandardCharsets.UTF_8).length > 200);
        byte[] utf8 = cyrillic.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream req = new ByteArrayOutputStream();
        req.writeBytes(("POST /liveEvent HTTP/1.1\r\nHost: x\r\nAuthorization: secret\r\nContent-Length: "
                + event(u, "1").length() + "\r\nIdempotency-Key: ").getBytes(StandardCharsets.US_ASCII));
        req.writeBytes(utf8);
        req.writeBytes(("\r\n\r\n" + event(u, "1")).getBytes(StandardCharsets.US_ASCII));
        String first = raw(req.toByteArray(), 5000);
        assertTrue(first.startsWith("HTTP/1.1 200") && !first.contains("duplicate"), first);
        String second = raw(req.toByteArray(), 5000);
        assertTrue(second.startsWith("HTTP/1.1 200") && second.contains("\"duplicate\":true"), second);
        awaitRevenue(u, "1");
        HttpResponse<String> plus = send(post("/liveEvent", "{\"userId\":\"u\",\"name\":\"add_revenue\",\"value\":+1}")
                .header("Authorization", "secret"));
        assertEquals(400, plus.statusCode());
        JsonNode reason = Http.JSON.readTree(plus.body()).get("invalid").get(0).get("reason");
        assertFalse(reason.asText().contains("`") || reason.asText().contains("JsonReadFeature"), reason.asText());
    }

    @Test
    void theClientFollowsTheConfiguredPortAndQuarantinesPrivately() throws Exception {
        String u = "door-inbox-" + System.nanoTime();
        Path tmp = WORK.resolve(u + ".part");
        Files.writeString(tmp, event(u, "4") + "\nnot json\n");
        Files.createDirectories(WORK.resolve("inbox"));
        Files.move(tmp, WORK.resolve("inbox").resolve(u + ".jsonl"), StandardCopyOption.ATOMIC_MOVE);
        awaitRevenue(u, "4");
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(
                WORK.resolve("inbox/.rejected").resolve(u + ".jsonl.rejected.jsonl"));
        assertFalse(perms.contains(PosixFilePermission.OTHERS_READ), perms.toString());
    }

    @Test
    void aLinkInTheInboxIsMovedAsideUnopened() throws Exception {
        String u = "door-link-" + System.nanoTime();
        Path secret = Files.writeString(WORK.resolve(u + ".secret"), event(u, "1") + "\nroot:x:0:0:root:/root:/bin/bash\n");
        Files.createDirectories(WORK.resolve("inbox"));
        Path link = Files.createSymbolicLink(WORK.resolve("inbox").resolve(u + ".jsonl"), secret);
        Waits.until("the link moved aside", 10_000, () -> !Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.isSymbolicLink(WORK.resolve("inbox/.failed").resolve(u + ".jsonl")));
        assertFalse(Files.exists(WORK.resolve("inbox/.rejected").resolve(u + ".jsonl.rejected.jsonl")));
        assertTrue(Files.readString(WORK.resolve("app.log")).contains("not a regular file"));
        assertEquals("404", revenue(u), "the link's target was read");
    }
}
