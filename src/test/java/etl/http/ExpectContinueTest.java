package etl.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import etl.metrics.EtlMetrics;
import etl.processor.OutboxFiles;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;

/**
 * {@code Expect: 100-continue} at the doors, over a raw socket on a real Vert.x server with both doors installed: a
 * client that waits for the 100 before its body gets it at once when the token is right (and its body of garbage
 * bytes, NUL, a BOM, invalid UTF-8, a lone surrogate's bytes, then goes through whole), and gets its final answer
 * instead, without a 100, when the token is wrong or the announced body is over the limit. Without the 100 the socket
 * read below times out: the test fails, as it did before the doors sent it (curl waited a second a request).
 */
class ExpectContinueTest {

    @TempDir
    Path dir;

    private Vertx vertx;
    private int port;
    private final List<byte[]> bodies = new CopyOnWriteArrayList<>();
    private final List<UploadDoor.Upload> uploads = new CopyOnWriteArrayList<>();

    /** Garbage bytes of every kind the contract names, as a body. */
    private static final byte[] GARBAGE = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '{', 0, (byte) 0xC3, (byte) 0x28,
        (byte) 0xED, (byte) 0xA0, (byte) 0x80, (byte) 0xFF, (byte) 0xFE, '\n', '[', '[', '[', '[', '[', '\n'};

    @BeforeEach
    void server() throws Exception {
        vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        EtlMetrics metrics = new EtlMetrics(new SimpleMeterRegistry(), new OutboxFiles(dir, true));
        new ApiDoor(new AuthToken("secret"), metrics, 1_000, 30_000, false, new BodyBudget(1 << 20)).install(router);
        Path imports = Files.createDirectories(dir.resolve("imports"));
        new UploadDoor(new AuthToken("secret"), metrics, imports, 1_000).install(router);
        router.post("/liveEvent").handler(ctx -> {
            bodies.add(ApiDoor.take(ctx.request()));
            ctx.response().end("{\"accepted\":1}");
        });
        router.post("/imports").handler(ctx -> {
            uploads.add(UploadDoor.take(ctx.request()));
            ctx.response().setStatusCode(202).end("{}");
        });
        HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0)
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        port = server.actualPort();
    }

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aRightTokenGetsItsContinueThenTheBodyGoesThroughWhole() throws Exception {
        for (String path : new String[] {"/liveEvent", "/imports"}) {
            try (Socket raw = socket()) {
                send(raw, head(path, "secret", GARBAGE.length));
                assertEquals("HTTP/1.1 100 Continue", readHead(raw.getInputStream()).split("\r\n")[0], path);
                raw.getOutputStream().write(GARBAGE);
                String answer = readHead(raw.getInputStream());
                assertTrue(answer.startsWith(path.equals("/imports") ? "HTTP/1.1 202" : "HTTP/1.1 200"), answer);
            }
        }
        assertArrayEquals(GARBAGE, bodies.get(0), "the body's bytes, whole");
        assertEquals(GARBAGE.length, uploads.get(0).bytes());
    }

    @Test
    void aWrongTokenOrABodyOverTheLimitIsAnsweredWithoutAContinue() throws Exception {
        String[][] cases = {
            {"/liveEvent", "wrong", "10", "HTTP/1.1 401"},
            {"/liveEvent", "secret", "1001", "HTTP/1.1 413"},
            {"/imports", "wrong", "10", "HTTP/1.1 401"},
            {"/imports", "secret", "1001", "HTTP/1.1 413"},
        };
        for (String[] c : cases) {
            try (Socket raw = socket()) {
                send(raw, head(c[0], c[1], Integer.parseInt(c[2])));
                String answer = readHead(raw.getInputStream());
                assertTrue(answer.startsWith(c[3]), String.join(" ", c) + ": " + answer);
                assertFalse(answer.contains("100 Continue"), answer);
            }
        }
        assertTrue(bodies.isEmpty() && uploads.isEmpty(), "nothing taken in");
    }

    private Socket socket() throws IOException {
        Socket raw = new Socket("localhost", port);
        raw.setSoTimeout(5_000); // no 100 and no answer: a SocketTimeoutException, and the test fails
        return raw;
    }

    private static String head(String path, String token, int length) {
        return "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + token
                + "\r\nContent-Type: application/x-ndjson\r\nContent-Length: " + length
                + "\r\nExpect: 100-continue\r\n\r\n";
    }

    private static void send(Socket raw, String text) throws IOException {
        raw.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        raw.getOutputStream().flush();
    }

    /** The status line and headers of the next response (up to its blank line). */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1
                    : 0;
        }
        return head.toString(StandardCharsets.US_ASCII);
    }
}
