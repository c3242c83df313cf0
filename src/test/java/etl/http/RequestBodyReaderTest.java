package etl.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;

import etl.it.Waits;

/**
 * The reader on a worker, with a real Vert.x server and a raw socket for a client: a request whose client has gone
 * (its connection closed before the body was read, or after the door read it and let go of it) fails at once instead
 * of holding the worker for the whole body timeout; a body sent whole, with garbage bytes in it, is read as sent.
 */
class RequestBodyReaderTest {

    private static final long TIMEOUT_MS = 10_000;

    private Vertx vertx;
    private HttpServer server;
    private CompletableFuture<HttpServerRequest> arrived;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        arrived = new CompletableFuture<>();
        server = vertx.createHttpServer().requestHandler(r -> {
            r.pause(); // as Camel's consumer hands it on: the body not read yet
            arrived.complete(r);
        }).listen(0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private Socket send(byte[] head, byte[] body) throws Exception {
        Socket s = new Socket("localhost", server.actualPort());
        OutputStream out = s.getOutputStream();
        out.write(head);
        out.write(body);
        out.flush();
        return s;
    }

    private static byte[] head(int contentLength) {
        return ("POST /liveEvent HTTP/1.1\r\nHost: x\r\nContent-Length: " + contentLength + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void aRequestWhoseClientHasGoneFailsAtOnce() throws Exception {
        // a part of the body announced (NUL, invalid UTF-8, a BOM), then the connection closed
        Socket s = send(head(1000), new byte[] {'{', 0, (byte) 0xff, (byte) 0xef, (byte) 0xbb, (byte) 0xbf});
        HttpServerRequest request = arrived.get(10, TimeUnit.SECONDS);
        s.close();
        Waits.until("the connection seen closed", 5_000, () -> request.response().closed());
        RequestBodyReader reader = new RequestBodyReader(1 << 20, TIMEOUT_MS);
        long t0 = System.nanoTime();
        assertThrows(RequestBodyReader.ConnectionClosed.class, () -> reader.read(request));
        long took = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(took < 1000, "the worker was held " + took + " ms");
    }

    @Test
    void aWholeBodyIsReadAsSent() throws Exception {
        byte[] body = {'{', 0, (byte) 0xff, (byte) 0xed, (byte) 0xa0, (byte) 0x80, (byte) 0xef, (byte) 0xbb, (byte) 0xbf,
            '\n', '}'};
        try (Socket s = send(head(body.length), body)) {
            HttpServerRequest request = arrived.get(10, TimeUnit.SECONDS);
            assertArrayEquals(body, new RequestBodyReader(1 << 20, TIMEOUT_MS).read(request));
        }
    }
}
