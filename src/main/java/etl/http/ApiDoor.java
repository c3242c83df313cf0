package etl.http;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The API's door, in front of Camel's routes on the Vert.x router (installed by {@link HttpServers}), for what
 * platform-http cannot do itself:
 * <ul>
 * <li>every answer carries {@code X-Content-Type-Options: nosniff}, {@code X-Frame-Options: DENY} and a
 * Content-Security-Policy that allows only the server's own scripts and styles;</li>
 * <li>on the paths that need the token ({@code POST /liveEvent}, the listing {@code GET /userEvents}, every
 * {@code /exports} path, {@code GET /imports…} ({@code POST /imports} has a door of its own, UploadDoor), every
 * {@code /audits} path, and {@code GET /userEvents/{id}} when ETL_QUERY_REQUIRE_TOKEN says so), the
 * {@code Authorization} header of the request itself (never a query parameter) is checked before any byte of the body
 * is read: a wrong token is a 401 at once, and the connection is closed instead of reading what follows;</li>
 * <li>the body of {@code POST /liveEvent} (and of {@code POST /exports}, {@code POST /audits}) is read here, on the
 * event loop, up to its size limit (413) and within its time limit (408), both in JSON. Camel's consumer runs the
 * route on a worker thread from the first byte; reading a body there let a client sending a byte a second hold a
 * worker for the whole time, and a few such clients stop the API. The route gets the body from {@link #take};</li>
 * <li>the bodies held at once, across all connections, stay within a {@link BodyBudget}: a body that would go over it
 * is a 503 with {@code Retry-After}, so that clients sending many large bodies at once get an answer to retry
 * instead of running the server out of memory under everyone else's requests;</li>
 * <li>a client that sends {@code Expect: 100-continue} gets its {@code 100 Continue} once the token and the budget
 * let its body in, or its final answer instead (a body announced over the limit: 413) ({@link ExpectContinue}).</li>
 * </ul>
 */
public final class ApiDoor {

    /** Bodies read by the door, until the route takes them (or the request ends). Keyed by the request itself. */
    private static final Map<HttpServerRequest, byte[]> BODIES = new ConcurrentHashMap<>();

    static final String CSP = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:;"
            + " object-src 'none'; frame-ancestors 'none'; base-uri 'none'";

    static final String BUSY = "the server holds as many request bodies as it may at once (etl.http.body-budget-bytes);"
            + " nothing was kept; send it again";

    /**
     * The largest body buffer made before the bytes arrive (a chunk of the inbox client is about 1 MB, and grows its
     * buffer once or twice): it is taken from the budget before a byte is read, so clients announcing large bodies
     * and sending nothing hold little each.
     */
    static final int PRESIZE_MAX = 512 * 1024;

    private final AuthToken token;
    private final etl.metrics.EtlMetrics metrics;
    private final long maxBodyBytes;
    private final long bodyTimeoutMillis;
    private final boolean queryNeedsToken;
    private final BodyBudget budget;

    public ApiDoor(AuthToken token, etl.metrics.EtlMetrics metrics, long maxBodyBytes, long bodyTimeoutMillis,
            boolean queryNeedsToken, BodyBudget budget) {
        this.token = token;
        this.budget = budget;
        this.metrics = metrics;
        this.maxBodyBytes = maxBodyBytes;
        this.bodyTimeoutMillis = bodyTimeoutMillis;
        this.queryNeedsToken = queryNeedsToken;
    }

    /** The body the door read for this request (once), or null when it read none. */
    public static byte[] take(HttpServerRequest request) {
        return BODIES.remove(request);
    }

    public void install(Router router) {
        router.route().order(Integer.MIN_VALUE + 1).handler(ApiDoor::securityHeaders);
        router.route(HttpMethod.POST, "/liveEvent").order(Integer.MIN_VALUE + 2)
                .handler(ctx -> guard(ctx, "http-ingest", true));
        router.route(HttpMethod.POST, "/exports").order(Integer.MIN_VALUE + 2)
                .handler(ctx -> guard(ctx, "http-export-create", true));
        router.route("/exports/*").order(Integer.MIN_VALUE + 3).handler(ctx -> guard(ctx, "http-exports", false));
        router.route(HttpMethod.POST, "/audits").order(Integer.MIN_VALUE + 2)
                .handler(ctx -> guard(ctx, "http-audit-create", true));
        router.route("/audits/*").order(Integer.MIN_VALUE + 3).handler(ctx -> guard(ctx, "http-audits", false));
        router.route(HttpMethod.GET, "/imports/*").order(Integer.MIN_VALUE + 3)
                .handler(ctx -> guard(ctx, "http-imports", false));
        // the listing only: Vert.x would match /userEvents/ too, which is no resource (404, not 401)
        router.route(HttpMethod.GET, "/userEvents").order(Integer.MIN_VALUE + 2).handler(ctx -> {
            if (ctx.request().path().equals("/userEvents")) {
                guard(ctx, "http-list", false);
            } else {
                ctx.next();
            }
        });
        if (queryNeedsToken) {
            router.route(HttpMethod.GET, "/userEvents/*").order(Integer.MIN_VALUE + 2)
                    .handler(ctx -> guard(ctx, "http-query", false));
        }
    }

    static void securityHeaders(RoutingContext ctx) {
        ctx.addHeadersEndHandler(v -> ctx.response().headers()
                .set("X-Content-Type-Options", "nosniff")
                .set("X-Frame-Options", "DENY")
                .set("Content-Security-Policy", CSP)
                .set("Referrer-Policy", "no-referrer"));
        ctx.next();
    }

    private void guard(RoutingContext ctx, String route, boolean readBody) {
        HttpServerRequest request = ctx.request();
        long started = System.nanoTime();
        if (!token.matches(request.getHeader("Authorization"))) {
            refuse(ctx, route, started, 401, "missing or wrong Authorization token");
            return;
        }
        if (!readBody) {
            ctx.next();
            return;
        }
        // a client that waits for a 100 before its body (Expect: 100-continue) is told of a body too large at once
        String declared = request.getHeader("Content-Length");
        if (ExpectContinue.expected(request) && announcedOver(declared, maxBodyBytes)) {
            refuse(ctx, route, started, 413, "request body is larger than " + maxBodyBytes + " bytes; nothing was kept");
            return;
        }
        // sized by Content-Length (the inbox client's chunk of 5,000 events grew from 256 bytes by doubling: eleven
        // copies of it on the event loop), up to PRESIZE_MAX: a length announced is not a length sent, and a few slow
        // senders must not make the server hold 16 MiB each before their bytes arrive
        int first = initialSize(declared);
        // what this body holds of the budget, given back once its answer has gone (or the connection closed)
        long[] held = {0};
        ctx.addEndHandler(done -> {
            budget.give(held[0]);
            held[0] = 0;
        });
        if (!budget.take(first)) {
            refuse(ctx, route, started, 503, BUSY);
            return;
        }
        held[0] = first;
        Buffer body = Buffer.buffer(first);
        boolean[] over = {false};
        long timer = ctx.vertx().setTimer(bodyTimeoutMillis, t -> {
            if (!ctx.response().ended()) {
                refuse(ctx, route, started, 408, "the request body did not arrive within " + bodyTimeoutMillis
                        + " ms; nothing was kept");
            }
        });
        request.handler(chunk -> {
            if (over[0]) {
                return;
            }
            long size = (long) body.length() + chunk.length();
            int refusal = 0;
            if (size > maxBodyBytes) {
                refusal = 413;
            } else if (size > held[0]) {
                if (budget.take(size - held[0])) {
                    held[0] = size;
                } else {
                    refusal = 503;
                }
            }
            if (refusal != 0) {
                over[0] = true;
                ctx.vertx().cancelTimer(timer);
                refuse(ctx, route, started, refusal, refusal == 503 ? BUSY
                        : "request body is larger than " + maxBodyBytes + " bytes; nothing was kept");
                return;
            }
            body.appendBuffer(chunk);
        });
        request.exceptionHandler(e -> ctx.vertx().cancelTimer(timer));
        request.endHandler(v -> {
            ctx.vertx().cancelTimer(timer);
            if (over[0] || ctx.response().ended()) {
                return;
            }
            BODIES.put(request, bytes(body));
            ctx.addEndHandler(done -> BODIES.remove(request));
            ctx.next();
        });
        ExpectContinue.sendIfExpected(request);
        request.resume();
    }

    /** The buffer's bytes: its own array when the buffer fills it exactly (a body as long as announced), else a copy. */
    static byte[] bytes(Buffer body) {
        io.netty.buffer.ByteBuf b = body.getByteBuf();
        if (b.hasArray() && b.arrayOffset() == 0 && b.readerIndex() == 0 && b.array().length == body.length()) {
            return b.array();
        }
        return body.getBytes();
    }

    /**
     * Whether a Content-Length announces more than {@code max} bytes (a number of more digits than a long holds does);
     * false when there is none or it is not a number (Vert.x answers such a request itself).
     */
    static boolean announcedOver(String contentLength, long max) {
        if (contentLength == null) {
            return false;
        }
        String n = contentLength.trim();
        if (!n.matches("[0-9]+")) {
            return false;
        }
        return n.length() > 18 || Long.parseLong(n) > max;
    }

    /** The body buffer's first size: the announced length up to {@link #PRESIZE_MAX}, or a small one without a number. */
    static int initialSize(String contentLength) {
        if (contentLength != null) {
            try {
                long n = Long.parseLong(contentLength.trim());
                if (n >= 0) {
                    return (int) Math.min(n, PRESIZE_MAX);
                }
            } catch (NumberFormatException e) {
                // not a number: Vert.x answers such a request itself; no size to go by here
            }
        }
        return 256;
    }

    /**
     * An answer before the body: the connection is closed after it, so what the client still sends is not read. It
     * is counted under the route's id, as the route's own answers are.
     */
    private void refuse(RoutingContext ctx, String route, long started, int status, String message) {
        HttpServerResponse r = ctx.response();
        if (r.ended() || r.closed()) {
            return;
        }
        metrics.http(route, status, System.nanoTime() - started);
        if (status == 503) {
            r.putHeader("Retry-After", "1");
        }
        r.setStatusCode(status).putHeader("Content-Type", "application/json").putHeader("Connection", "close")
                .end(Json.error(message)).onComplete(v -> ctx.request().connection().close());
    }
}
