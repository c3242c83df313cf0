package routes;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.builder.ThreadPoolProfileBuilder;
import org.apache.camel.util.concurrent.ThreadPoolRejectedPolicy;

import etl.config.Roles;
import etl.inbox.InboxRun;
import etl.metrics.EtlMetrics;

/**
 * The client: reads each {@code *.jsonl} dropped into {@code inbox/} as a stream, in chunks of lines; quarantines the
 * invalid lines; sends the valid events of each chunk to {@code POST /liveEvent} with an Idempotency-Key made of the
 * file's content and the chunk's place (so a chunk sent twice is kept once); retries while the server is down or
 * answers 5xx (route configuration {@code client-errors}); moves the file to {@code inbox/.done/} when every chunk
 * is acknowledged.
 */
public class InboxClientRoute extends RouteBuilder {

    static final String RUN = "etlInboxRun";
    static final String CHUNKS = "etlInboxChunks";

    @Override
    public void configure() {
        if (!Roles.enabled(getContext(), Roles.CLIENT)) {
            return;
        }
        int chunkLines = Integer.parseInt(getContext().resolvePropertyPlaceholders("{{etl.inbox.chunk-lines}}"));
        int maxLineBytes = Integer.parseInt(getContext().resolvePropertyPlaceholders("{{etl.inbox.max-line-bytes}}"));
        long progressMillis = Long.parseLong(getContext().resolvePropertyPlaceholders("{{etl.inbox.progress-ms}}"));
        Path rejectedDir = Path.of(getContext().resolvePropertyPlaceholders("{{etl.inbox.dir}}"), ".rejected");
        int parallel = Integer.parseInt(getContext().resolvePropertyPlaceholders("{{etl.inbox.parallel-requests}}"));
        // chunks in flight at most: the pool, its queue, and the splitter's own thread when both are full
        ExecutorService sendPool = getContext().getExecutorServiceManager().newThreadPool(this, "inbox-send",
                new ThreadPoolProfileBuilder("inbox-send").poolSize(parallel).maxPoolSize(parallel)
                        .maxQueueSize(parallel).rejectedPolicy(ThreadPoolRejectedPolicy.CallerRuns).build());

        // no charset: the file is read as bytes and each line decoded on its own (a decoding stream would fail the whole
        // file at its first ill-formed byte)
        from("file:{{etl.inbox.dir}}?include=.*\\.jsonl&readLock=none&initialDelay=0&delay={{etl.inbox.poll-ms}}"
                + "&move=.done&moveFailed=.failed")
            .routeId("inbox-client")
            .routeConfigurationId("client-errors")
            .process(e -> e.setProperty(RUN, new InboxRun(
                    Path.of(e.getMessage().getHeader(Exchange.FILE_PATH, String.class)),
                    rejectedDir, chunkLines, maxLineBytes, progressMillis)))
            .log("Inbox ${file:name}: reading")
            // the iterator reads the file as a stream (a ${body} argument in simple would load it into a String)
            .process(e -> e.setProperty(CHUNKS, e.getProperty(RUN, InboxRun.class).chunks(
                    e.getMessage().getBody(InputStream.class))))
            .split(exchangeProperty(CHUNKS)).streaming().stopOnException()
                .parallelProcessing().executorService(sendPool)
                .to("direct:inbox-send-chunk")
            .end()
            .log("Inbox ${file:name}: ${exchangeProperty." + RUN + ".summary()}; moved to .done/");

        from("direct:inbox-send-chunk")
            .routeId("inbox-send-chunk")
            .routeConfigurationId("client-errors")
            .process(InboxClientRoute::prepareChunk)
            .filter(header("etlEvents").isGreaterThan(0))
                .setHeader("Authorization", simple("{{etl.auth.token}}"))
                .setHeader(Exchange.CONTENT_TYPE, constant("application/x-ndjson"))
                .setHeader(Exchange.HTTP_METHOD, constant("POST"))
                .to("{{etl.server.url}}/liveEvent?throwExceptionOnFailure=true")
                .setBody(simple("${bodyAs(String)}"))
                .process(e -> e.getProperty(RUN, InboxRun.class).sent(
                        e.getMessage().getHeader("etlEvents", Integer.class),
                        e.getMessage().getBody(String.class).contains("\"duplicate\":true")))
            .end();
    }

    /** Leaves only what the request needs: the valid events as the body, their count, and the chunk's key. */
    private static void prepareChunk(Exchange e) {
        InboxRun.Chunk chunk = e.getMessage().getBody(InboxRun.Chunk.class);
        var message = e.getMessage();
        message.removeHeaders("*");
        message.setBody(chunk.body());
        message.setHeader("etlEvents", chunk.events());
        message.setHeader("Idempotency-Key", chunk.key());
        if (chunk.rejected() > 0) {
            e.getContext().getRegistry().lookupByNameAndType("etlMetrics", EtlMetrics.class)
                    .rejectedInbox(chunk.rejected());
        }
    }
}
