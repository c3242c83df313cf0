package etl.config;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.http.HttpMethods;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The second part of the JIT's warm-up ({@link WarmUp} is the first), in a process that runs both the server and the
 * client ({@code etl.warm-up.requests}): once the routes run, requests of blank lines only, sent one after the other by
 * the client's HTTP component (camel-http, as route {@code inbox-send-chunk} sends a chunk) to this process's own
 * {@code POST /liveEvent}, over loopback. It starts when Camel has started every route, as an event notifier added
 * after {@link etl.http.StartupGate}, which opens the API port on the same event.
 * <p>
 * Why: the first part warms our parsers, but a file's bytes also pass through Netty and Vert.x (the server), Apache
 * HttpClient (the client) and Camel's exchanges, and those were compiled while the first file passed. A 1M-line file
 * dropped 2 s after the start took 1.37-1.48 s (bench/e2e.sh); with 25 such requests at start, 0.98-1.05 s, and with
 * 50, 1.01-1.09 (three alternated rounds, twenty-third session, docs/BENCHMARKS.md). They take 0.75-1.75 s of one
 * thread, after the start, while nothing else runs.
 * <p>
 * What they leave: nothing in the database, the outbox or the event counters. A request with no event in it is answered
 * {@code {"accepted":0}} before the spool step (route {@code http-ingest-accept}); any other answer stops the warm-up
 * with a warning. They show where every request shows: the route counters on JMX and
 * {@code etl_http_requests_seconds{route="http-ingest",status="200"}}. Requests of clients that arrive meanwhile are
 * served as always, alongside.
 */
public final class HttpWarmUp extends EventNotifierSupport {

    private static final Logger LOG = LoggerFactory.getLogger(HttpWarmUp.class);
    /** The answer to a request without an event; any other stops the warm-up. */
    static final String ANSWER = "{\"accepted\":0}";
    /** The bytes of blank lines a request carries at most: about a chunk of 20,000 lines of the client's. */
    static final int BODY_BYTES = 1 << 20;

    private final CompletableFuture<Integer> done = new CompletableFuture<>();
    private final int port;
    private final String token;
    private final int requests;
    private final long maxBodyBytes;

    /**
     * {@code requests} requests (0: none) to {@code http://127.0.0.1:port/liveEvent} with {@code token}, each of
     * {@link #BODY_BYTES} blank lines, or fewer where the server's {@code maxBodyBytes} is smaller.
     */
    public HttpWarmUp(int port, String token, int requests, long maxBodyBytes) {
        this.port = port;
        this.token = token;
        this.requests = Math.max(0, requests);
        this.maxBodyBytes = maxBodyBytes;
        if (this.requests == 0) {
            done.complete(0);
        }
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return requests > 0 && event.getType() == CamelEvent.Type.CamelContextStarted;
    }

    @Override
    public void notify(CamelEvent event) {
        start(((CamelEvent.CamelContextStartedEvent) event).getContext());
    }

    /** Sends the requests on a daemon thread of its own. */
    private void start(CamelContext camel) {
        Thread t = new Thread(() -> {
            long started = System.nanoTime();
            int sent = 0;
            try {
                byte[] body = new byte[(int) Math.max(1, Math.min(BODY_BYTES, maxBodyBytes))];
                Arrays.fill(body, (byte) '\n');
                sent = send(camel, "http://127.0.0.1:" + port + "/liveEvent", token, requests, body);
                LOG.info("JIT warm-up: {} requests of {} blank lines each through the client's HTTP component and this"
                        + " process's /liveEvent, each answered {}, in {} ms", sent, body.length, ANSWER,
                        (System.nanoTime() - started) / 1_000_000);
            } catch (Exception e) {
                // it only ever costs time: the process serves the same either way (and a stop ends it quietly)
                if (camel.isStarted()) {
                    LOG.warn("JIT warm-up of the HTTP path ended early: {}", e.toString());
                } else {
                    LOG.debug("JIT warm-up of the HTTP path ended by the stop: {}", e.toString());
                }
            } finally {
                done.complete(sent);
            }
        }, "jit-warm-up-http");
        t.setDaemon(true);
        t.start();
    }

    /**
     * The requests, on the calling thread: each must be answered {@link #ANSWER}, or the warm-up stops (an exception).
     * The endpoint is removed after, so that only the client's own endpoint stays on JMX.
     */
    public static int send(CamelContext camel, String url, String token, int requests, byte[] body) throws Exception {
        Endpoint endpoint = camel.getEndpoint(url + "?throwExceptionOnFailure=true");
        Map<String, Object> headers = Map.of("Authorization", token,
                Exchange.CONTENT_TYPE, "application/x-ndjson",
                Exchange.HTTP_METHOD, HttpMethods.POST);
        try (ProducerTemplate template = camel.createProducerTemplate()) {
            for (int i = 0; i < requests; i++) {
                String answer = template.requestBodyAndHeaders(endpoint, body, headers, String.class);
                if (!ANSWER.equals(answer)) {
                    throw new IllegalStateException("request " + (i + 1) + " was answered " + answer);
                }
            }
            return requests;
        } finally {
            camel.removeEndpoint(endpoint);
        }
    }

    /**
     * How many requests it sent, each answered {@link #ANSWER}, once the warm-up has ended (waits up to {@code millis});
     * 0 when it ended early.
     */
    public int awaitDone(long millis) throws Exception {
        return done.get(millis, TimeUnit.MILLISECONDS);
    }
}
