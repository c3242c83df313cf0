package etl.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import etl.metrics.EtlMetrics;
import etl.processor.OutboxFiles;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;

/**
 * The door's budget of bodies held at once, over real HTTP on a real Vert.x server: bodies of garbage bytes (NUL,
 * invalid UTF-8, a BOM) that would go over it are a 503 with Retry-After and a JSON error, before their body is read
 * when their first buffer does not fit, or as soon as what they sent does not; a small request meanwhile is answered; every byte comes back to the budget when the answers have gone, and the refused body then
 * goes through whole.
 */
class BodyBudgetTest {

    @Test
    void theBudgetTakesUpToItsLimitAndGivesBack() {
        BodyBudget b = new BodyBudget(100);
        assertTrue(b.take(60));
        assertFalse(b.take(41), "over the limit: nothing taken");
        assertEquals(60, b.held());
        assertTrue(b.take(40));
        b.give(100);
        assertEquals(0, b.held());
        assertEquals(16 << 20, BodyBudget.of(0, 16 << 20, 64L << 20).limit(), "at least one body of the largest size");
        assertEquals(128L << 20, BodyBudget.of(0, 16 << 20, 1L << 30).limit(), "an eighth of the heap");
        assertEquals(5000, BodyBudget.of(5000, 16 << 20, 1L << 30).limit(), "the setting when set");
    }

    @Test
    void bodiesOverTheBudgetAre503AndTheOthersGoOn(@TempDir Path dir) throws Exception {
        Vertx vertx = Vertx.vertx();
        BodyBudget budget = new BodyBudget(2_500_000);
        List<HttpServerResponse> held = new CopyOnWriteArrayList<>();
        List<byte[]> received = new CopyOnWriteArrayList<>();
        try {
            Router router = Router.router(vertx);
            new ApiDoor(new AuthToken("secret"), new EtlMetrics(new SimpleMeterRegistry(), new OutboxFiles(dir, true)),
                    16 << 20, 30_000, false, budget).install(router);
            // the route: bodies of a megabyte or more wait for their answer (held by the budget meanwhile)
            router.post("/liveEvent").handler(ctx -> {
                byte[] body = ApiDoor.take(ctx.request());
                received.add(body);
                if (body.length >= 1_000_000) {
                    held.add(ctx.response());
                } else {
                    ctx.response().end("{\"accepted\":1}");
                }
            });
            HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0)
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            URI uri = URI.create("http://localhost:" + server.actualPort() + "/liveEvent");
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();

            byte[] garbage = new byte[1_000_000];
            new Random(7).nextBytes(garbage);
            garbage[0] = (byte) 0xEF;
            garbage[1] = (byte) 0xBB;
            garbage[2] = (byte) 0xBF;
            garbage[3] = 0;
            garbage[4] = (byte) 0xC0;
            CompletableFuture<HttpResponse<String>> first = post(http, uri, garbage);
            CompletableFuture<HttpResponse<String>> second = post(http, uri, garbage);
            long until = System.currentTimeMillis() + 10_000;
            while (held.size() < 2 && System.currentTimeMillis() < until) {
                Thread.sleep(10);
            }
            assertEquals(2, held.size(), "two bodies of a megabyte are within the budget");

            // a third announces a megabyte: its first buffer (512 KiB) does not fit, and it is answered before it sends
            // a byte of its body (a raw socket: the answer is read whatever the client still had to send)
            try (java.net.Socket raw = new java.net.Socket("localhost", server.actualPort())) {
                raw.setSoTimeout(10_000);
                raw.getOutputStream().write(("POST /liveEvent HTTP/1.1\r\nHost: localhost\r\nAuthorization: secret\r\n"
                        + "Content-Length: 1000000\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                String answer = new String(raw.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                assertTrue(answer.startsWith("HTTP/1.1 503"), answer);
                assertTrue(answer.contains("Retry-After: 1") || answer.contains("retry-after: 1"), answer);
                assertTrue(answer.contains("{\"error\":\"the server holds as many request bodies"), answer);
            }

            // a fourth sends its body in pieces, without a length: refused once what it sent would go over the budget
            try (java.net.Socket raw = new java.net.Socket("localhost", server.actualPort())) {
                raw.setSoTimeout(10_000);
                CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> {
                    try {
                        return new String(raw.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                    } catch (java.io.IOException e) {
                        return "read failed: " + e;
                    }
                });
                var out = raw.getOutputStream();
                out.write(("POST /liveEvent HTTP/1.1\r\nHost: localhost\r\nAuthorization: secret\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                int sent = 0;
                try {
                    while (!answer.isDone() && sent < 2_000_000) {
                        out.write((Integer.toHexString(65_536) + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                        out.write(garbage, 0, 65_536);
                        out.write("\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                        out.flush();
                        sent += 65_536;
                        Thread.sleep(50);
                    }
                } catch (java.io.IOException closed) {
                    // the server closed the connection after its answer
                }
                String text = answer.get(10, TimeUnit.SECONDS);
                assertTrue(text.startsWith("HTTP/1.1 503"), text);
                assertTrue(sent < 1_000_000, "refused once over the budget (half a megabyte left), not at the end: " + sent);
            }

            HttpResponse<String> small = post(http, uri, "{\"userId\":\"u\",\"name\":\"add_revenue\",\"value\":1}"
                    .getBytes()).get(10, TimeUnit.SECONDS);
            assertEquals(200, small.statusCode(), "a small body still fits: " + small.body());

            vertx.runOnContext(v -> held.forEach(r -> r.end("{\"accepted\":1}")));
            assertEquals(200, first.get(10, TimeUnit.SECONDS).statusCode());
            assertEquals(200, second.get(10, TimeUnit.SECONDS).statusCode());
            until = System.currentTimeMillis() + 10_000;
            while (budget.held() != 0 && System.currentTimeMillis() < until) {
                Thread.sleep(10);
            }
            assertEquals(0, budget.held(), "every byte given back once the answers have gone");

            held.clear();
            CompletableFuture<HttpResponse<String>> again = post(http, uri, garbage);
            until = System.currentTimeMillis() + 10_000;
            while (held.isEmpty() && System.currentTimeMillis() < until) {
                Thread.sleep(10);
            }
            vertx.runOnContext(v -> held.forEach(r -> r.end("{\"accepted\":1}")));
            assertEquals(200, again.get(10, TimeUnit.SECONDS).statusCode(), "sent again, it goes through");
            assertArrayEquals(garbage, received.get(received.size() - 1), "the body's bytes, whole");
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static CompletableFuture<HttpResponse<String>> post(HttpClient http, URI uri, byte[] body) {
        return http.sendAsync(HttpRequest.newBuilder(uri).header("Authorization", "secret")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
