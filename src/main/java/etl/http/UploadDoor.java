package etl.http;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The door of {@code POST /imports}, on the Vert.x router before Camel's route (platform-http would hold the whole
 * body in memory): the token and the Content-Type are checked before any byte of the body is read (401, 415; a
 * declared Content-Length over the limit is a 413 at once; a client that asked for a {@code 100 Continue} gets it only
 * after these checks, {@link ExpectContinue}); then the body is streamed, as it arrives and with back
 * pressure, into {@code imports/.upload-<uuid>.part}, never whole in memory; past {@code ETL_IMPORT_MAX_BYTES} the
 * upload stops with 413 and its file is removed. The route (which forces the file to disk before answering 202)
 * takes the finished upload from {@link #take}; an upload that no route took is removed when its request ends.
 */
public final class UploadDoor {

    /** A finished upload: its file, its size, and its format ({@code jsonl} or {@code csv}). */
    public record Upload(Path file, long bytes, String format) {
    }

    private static final Map<HttpServerRequest, Upload> UPLOADS = new ConcurrentHashMap<>();
    static final long LINGER_MILLIS = 5_000;

    private final AuthToken token;
    private final etl.metrics.EtlMetrics metrics;
    private final Path dir;
    private final long maxBytes;

    public UploadDoor(AuthToken token, etl.metrics.EtlMetrics metrics, Path dir, long maxBytes) {
        this.token = token;
        this.metrics = metrics;
        this.dir = dir;
        this.maxBytes = maxBytes;
    }

    public static Upload take(HttpServerRequest request) {
        return UPLOADS.remove(request);
    }

    /** The import format of a Content-Type: {@code jsonl}, {@code csv}, or null. */
    public static String format(String contentType) {
        String media = contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return switch (media) {
            case "application/x-ndjson", "application/jsonl", "application/json-lines", "application/x-jsonlines" ->
                "jsonl";
            case "text/csv" -> "csv";
            default -> null;
        };
    }

    public void install(Router router) {
        router.route(HttpMethod.POST, "/imports").order(Integer.MIN_VALUE + 2).handler(this::upload);
    }

    private void upload(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        long started = System.nanoTime();
        if (!request.path().equals("/imports")) {
            ctx.next();
            return;
        }
        if (!token.matches(request.getHeader("Authorization"))) {
            refuse(ctx, started, 401, "missing or wrong Authorization token");
            return;
        }
        String format = format(request.getHeader("Content-Type"));
        if (format == null) {
            refuse(ctx, started, 415, "an import is JSON Lines (Content-Type: application/x-ndjson) or CSV"
                    + " (Content-Type: text/csv), not " + request.getHeader("Content-Type"));
            return;
        }
        String declared = request.getHeader("Content-Length");
        if (ApiDoor.announcedOver(declared, maxBytes)) {
            refuse(ctx, started, 413, "the import is larger than " + maxBytes + " bytes; nothing was kept");
            return;
        }
        request.pause();
        Path file = dir.resolve(".upload-" + UUID.randomUUID() + ".part");
        ctx.vertx().fileSystem().open(file.toString(), new OpenOptions().setCreateNew(true).setWrite(true))
                .onFailure(e -> refuse(ctx, started, 503, "the upload cannot be written: " + e.getMessage()
                        + "; nothing was kept"))
                .onSuccess(out -> receive(ctx, started, file, format, out));
    }

    private void receive(RoutingContext ctx, long started, Path file, String format, AsyncFile out) {
        HttpServerRequest request = ctx.request();
        long[] size = {0};
        boolean[] failed = {false};
        Runnable drop = () -> out.close().onComplete(v -> ctx.vertx().fileSystem().delete(file.toString()));
        out.exceptionHandler(e -> {
            if (!failed[0]) {
                failed[0] = true;
                drop.run();
                refuse(ctx, started, 503, "the upload cannot be written: " + e.getMessage() + "; nothing was kept");
            }
        });
        request.handler(chunk -> {
            if (failed[0]) {
                return;
            }
            size[0] += chunk.length();
            if (size[0] > maxBytes) {
                failed[0] = true;
                drop.run();
                refuse(ctx, started, 413, "the import is larger than " + maxBytes + " bytes; nothing was kept");
                return;
            }
            out.write(chunk);
            if (out.writeQueueFull()) {
                request.pause();
                out.drainHandler(v -> request.resume());
            }
        });
        request.exceptionHandler(e -> {
            if (!failed[0]) {
                failed[0] = true;
                drop.run();
            }
        });
        request.endHandler(v -> {
            if (failed[0]) {
                return;
            }
            out.close().onComplete(closed -> {
                if (closed.failed()) {
                    failed[0] = true;
                    ctx.vertx().fileSystem().delete(file.toString());
                    refuse(ctx, started, 503, "the upload cannot be written: " + closed.cause().getMessage()
                            + "; nothing was kept");
                    return;
                }
                UPLOADS.put(request, new Upload(file, size[0], format));
                ctx.addEndHandler(done -> {
                    if (UPLOADS.remove(request) != null) {
                        ctx.vertx().fileSystem().delete(file.toString());
                    }
                });
                ctx.next();
            });
        });
        ExpectContinue.sendIfExpected(request);
        request.resume();
    }

    /**
     * An answer before the whole body was read. The connection is closed after it, but not at once: a client still
     * sending its body would get a reset instead of the answer (it reads the answer once it has sent), so what it
     * still sends is read and thrown away for up to {@link #LINGER_MILLIS} (a "lingering close").
     */
    private void refuse(RoutingContext ctx, long started, int status, String message) {
        HttpServerResponse r = ctx.response();
        if (r.ended() || r.closed()) {
            return;
        }
        metrics.http("http-import-create", status, System.nanoTime() - started);
        HttpServerRequest request = ctx.request();
        r.setStatusCode(status).putHeader("Content-Type", "application/json").putHeader("Connection", "close")
                .end(Json.error(message)).onComplete(v -> {
                    if (request.isEnded()) {
                        request.connection().close();
                        return;
                    }
                    long timer = ctx.vertx().setTimer(LINGER_MILLIS, t -> request.connection().close());
                    request.handler(discarded -> { });
                    request.endHandler(end -> {
                        ctx.vertx().cancelTimer(timer);
                        request.connection().close();
                    });
                    request.resume();
                });
    }
}
