package etl.http;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/**
 * Reads the raw request body, whatever its Content-Type, up to a limit. The platform-http consumer runs with
 * {@code useBodyHandler=false}, so Vert.x neither parses a form (curl's default content type) nor answers 413 in
 * plain text: this reader keeps the raw bytes and lets the route answer 413 in JSON.
 */
public final class RequestBodyReader implements org.apache.camel.Processor {

    /** The request's connection closed before its body could be read: nothing of it was kept, and no one hears why. */
    public static final class ConnectionClosed extends java.io.IOException {
        public ConnectionClosed() {
            super("the connection closed before the request body was read; nothing was kept");
        }
    }

    private final long limit;
    private final long timeoutMillis;

    public RequestBodyReader(long limit, long timeoutMillis) {
        this.limit = limit;
        this.timeoutMillis = timeoutMillis;
    }

    /** Route step: the body becomes the request's bytes. */
    @Override
    public void process(org.apache.camel.Exchange exchange) throws Exception {
        exchange.getMessage().setBody(read(exchange.getMessage().getBody()));
    }

    /** Blocks the calling worker thread until the body has arrived; over the limit, drains it and throws. */
    public byte[] read(Object body) throws Exception {
        if (body instanceof byte[] bytes) {
            if (bytes.length > limit) {
                throw new BodyTooLargeException(limit);
            }
            return bytes;
        }
        if (!(body instanceof HttpServerRequest request)) {
            throw new IllegalStateException("unexpected request body " + (body == null ? "null" : body.getClass()));
        }
        byte[] read = ApiDoor.take(request);
        if (read != null) {
            return read; // read by the API's door, on the event loop, within its limits
        }
        if (request.response().closed()) {
            // the client went away after the door read its body (the door lets go of a body when its connection
            // closes): nothing will ever arrive, and waiting for it held this worker for the whole body timeout. A
            // client closing its connections with requests queued for the workers (Kafka mode, 256 connections,
            // the end of a wrk run) held all 64 of them for 30 s, and nothing else was answered meanwhile.
            throw new ConnectionClosed();
        }
        CompletableFuture<Buffer> done = new CompletableFuture<>();
        Buffer buffer = Buffer.buffer();
        long[] size = {0};
        request.handler(chunk -> {
            size[0] += chunk.length();
            if (size[0] <= limit) {
                buffer.appendBuffer(chunk);
            }
        });
        request.exceptionHandler(done::completeExceptionally);
        request.endHandler(v -> done.complete(buffer));
        request.resume();
        Buffer all = done.get(timeoutMillis, TimeUnit.MILLISECONDS);
        if (size[0] > limit) {
            throw new BodyTooLargeException(limit);
        }
        return all.getBytes();
    }
}
