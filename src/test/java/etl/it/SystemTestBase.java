package etl.it;

import java.nio.file.Path;
import java.util.UUID;

import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.apache.camel.CamelContext;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;

/**
 * The whole application, started as {@code mvn camel:run} starts it (application.properties, the routes, the
 * embedded PostgreSQL, JMX), on test ports and test folders. Tests talk to it over real HTTP and real files only.
 */
@CamelMainTest(useJmx = true, properties = {
        "camel.server.port=" + Http.PORT,
        "camel.management.port=" + Http.MANAGEMENT_PORT,
        "etl.server.url=" + Http.BASE,
        "etl.inbox.dir=" + SystemTestBase.INBOX,
        "etl.outbox.dir=" + SystemTestBase.OUTBOX,
        "etl.db.embedded-dir=target/it/pg",
        "etl.processor.poll-ms=100",
        "etl.inbox.poll-ms=100",
        "etl.inbox.chunk-lines=1000",
        "etl.inbox.chunk-bytes=2000000",
        "etl.client.retry-initial-ms=100",
        "etl.client.retry-max-ms=1000",
        "etl.keys.purge-delay-ms=500",
        "etl.keys.purge-period-ms=500",
        "etl.exports.dir=" + SystemTestBase.EXPORTS,
        "etl.imports.dir=" + SystemTestBase.IMPORTS,
        "etl.imports.max-bytes=5000000",
        "etl.jobs.poll-ms=100",
        "etl.exports.sweep-ms=300"
})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class SystemTestBase {

    public static final String INBOX = "target/it/inbox";
    public static final String OUTBOX = "target/it/outbox";
    public static final String EXPORTS = "target/it/exports";
    public static final String IMPORTS = "target/it/imports";
    public static final String AUTH = "Authorization";
    public static final String TOKEN = "secret";

    @org.apache.camel.BeanInject
    protected CamelContext context;

    /**
     * The warm-up's requests to /liveEvent at start (etl.config.HttpWarmUp) have ended: a test that counts requests or
     * exchanges does not count theirs.
     */
    @BeforeEach
    void warmUpEnded() throws Exception {
        context.getRegistry().lookupByNameAndType("httpWarmUp", etl.config.HttpWarmUp.class).awaitDone(60_000);
    }

    /** A user id no other test uses, so that the tests do not depend on each other's totals. */
    protected static String user(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    protected static Path inbox() {
        return Path.of(INBOX);
    }

    protected static Path outbox() {
        return Path.of(OUTBOX);
    }

    /**
     * The places of the chunks whose Idempotency-Keys match {@code key} (its group 1 the place) in the applied spool
     * files of outbox/.done/, once at least {@code atLeast} of them are there.
     */
    protected static java.util.Set<String> spooledChunks(java.util.regex.Pattern key, int atLeast) throws Exception {
        java.util.Set<String> chunks = new java.util.TreeSet<>();
        Waits.until(atLeast + " chunks in the applied spool files", 10_000, () -> {
            chunks.clear();
            try (var files = java.nio.file.Files.list(outbox().resolve(".done"))) {
                for (Path p : files.filter(p -> p.toString().endsWith(".jsonl")).toList()) {
                    var m = key.matcher(java.nio.file.Files.readString(p, java.nio.charset.StandardCharsets.ISO_8859_1));
                    while (m.find()) {
                        chunks.add(m.group(1));
                    }
                }
            }
            return chunks.size() >= atLeast;
        });
        return chunks;
    }

    /**
     * Waits until the processor has looked at the outbox five more times (route {@code outbox-processor}): whatever was
     * spooled before the call has been applied by then, so "nothing was kept" can be asserted. (A look in progress at
     * the call may have listed before the last file came; the next one sees it first and waits for one more look, see
     * OutboxSettled; the one after applies it.)
     */
    protected void awaitProcessorPolls() {
        if (context.getRoute("kafka-processor") != null) {
            awaitKafkaApplied();
            return;
        }
        NotifyBuilder polls = new NotifyBuilder(context).fromRoute("outbox-processor").whenCompleted(5).create();
        if (!polls.matches(15, TimeUnit.SECONDS)) {
            throw new AssertionError("the processor did not poll the outbox");
        }
    }

    /**
     * Kafka mode's "the processor caught up": every partition's lag (etl_kafka_lag) at 0 twice, a second apart:
     * whatever was acknowledged before the call is applied by then.
     */
    protected void awaitKafkaApplied() {
        var registry = context.getRegistry().lookupByNameAndType("etlMetrics", etl.metrics.EtlMetrics.class).registry();
        try {
            for (int round = 0; round < 2; round++) {
                Waits.until("every Kafka partition applied", 30_000, () -> {
                    var gauges = registry.find("etl.kafka.lag").gauges();
                    return !gauges.isEmpty() && gauges.stream().allMatch(g -> g.value() == 0.0);
                });
                Thread.sleep(2100); // the lag is kept two seconds: the next reading is a new one
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    protected DataSource dataSource() {
        return context.getRegistry().lookupByNameAndType("dataSource", DataSource.class);
    }

}
