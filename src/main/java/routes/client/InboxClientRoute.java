package routes.client;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutorService;

import org.apache.camel.BeanInject;
import org.apache.camel.Exchange;
import org.apache.camel.PropertyInject;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.builder.ThreadPoolProfileBuilder;
import org.apache.camel.component.http.HttpMethods;
import org.apache.camel.model.dataformat.JsonLibrary;
import org.apache.camel.util.concurrent.ThreadPoolRejectedPolicy;

import etl.inbox.InboxSteps;
import etl.metrics.EtlMetrics;
import etl.status.WorkInProgress;

/**
 * The client: reads each {@code *.jsonl} dropped into {@code inbox/} as a stream, in chunks of lines; quarantines the
 * invalid lines; sends the valid events of each chunk to {@code POST /liveEvent} with an Idempotency-Key made of the
 * file's content and the chunk's place (so a chunk sent twice is kept once); retries while the server is down or
 * answers 5xx (route configuration {@code client-errors}); moves the file to {@code inbox/.done/} when every chunk
 * is acknowledged.
 */
public class InboxClientRoute extends RouteBuilder {

    @BeanInject
    private EtlMetrics metrics;
    @BeanInject
    private WorkInProgress work;
    @PropertyInject("etl.inbox.dir")
    private String inboxDir;
    @PropertyInject("etl.inbox.chunk-lines")
    private int chunkLines;
    @PropertyInject("etl.inbox.chunk-bytes")
    private long chunkBytes;
    @PropertyInject("etl.inbox.max-line-bytes")
    private int maxLineBytes;
    @PropertyInject("etl.inbox.progress-ms")
    private long progressMillis;
    @PropertyInject("etl.inbox.parallel-requests")
    private int parallel;

    @Override
    public void configure() {
        // chunks in flight at most: the pool, its queue, and the splitter's own thread when both are full
        ExecutorService sendPool = getContext().getExecutorServiceManager().newThreadPool(this, "inbox-send",
                new ThreadPoolProfileBuilder("inbox-send").poolSize(parallel).maxPoolSize(parallel)
                        .maxQueueSize(parallel).rejectedPolicy(ThreadPoolRejectedPolicy.CallerRuns).build());

        // the file's SHA-256 (its chunks' keys), worked out while its first chunks are read and checked
        ExecutorService hashPool = getContext().getExecutorServiceManager().newSingleThreadExecutor(this, "inbox-hash");

        // no charset: the file is read as bytes and each line decoded on its own (a decoding stream would fail the whole
        // file at its first ill-formed byte)
        from("file:{{etl.inbox.dir}}?include=.*\\.jsonl&readLock=none&initialDelay=0&delay={{etl.inbox.poll-ms}}"
                + "&move=.done&moveFailed=.failed")
            .routeId("inbox-client")
            .routeConfigurationId("client-errors")
            .log("Inbox ${file:name}: reading")
            .process(new InboxSteps.Open(Path.of(inboxDir, ".rejected"), chunkLines, chunkBytes, maxLineBytes,
                    progressMillis, work, hashPool))
            .split(body()).streaming().stopOnException()
                .parallelProcessing().executorService(sendPool)
                .to("direct:inbox-send-chunk")
            .end()
            .log("Inbox ${file:name}: ${exchangeProperty." + InboxSteps.RUN + ".summary()}; moved to .done/");

        from("direct:inbox-send-chunk")
            .routeId("inbox-send-chunk")
            .routeConfigurationId("client-errors")
            .process(new InboxSteps.PrepareChunk(metrics))
            .filter(header("etlEvents").isGreaterThan(0))
                .setHeader("Authorization", simple("{{etl.auth.token}}"))
                .setHeader(Exchange.CONTENT_TYPE, constant("application/x-ndjson"))
                // the enum camel-http reads it as: a String was converted per request by a search of every converter
                .setHeader(Exchange.HTTP_METHOD, constant(HttpMethods.POST))
                // the HTTP client (its TLS set-up: 0.2 s) is made with the first chunk, not at start-up
                .toD("{{etl.server.url}}/liveEvent?throwExceptionOnFailure=true&lazyStartProducer=true")
                .unmarshal().json(JsonLibrary.Jackson, Map.class)
                .process(new InboxSteps.ChunkSent())
            .end();
    }
}
