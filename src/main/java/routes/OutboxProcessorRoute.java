package routes;

import java.nio.file.Files;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.sql.SqlConstants;

import etl.config.Roles;
import etl.io.Lines;
import etl.metrics.EtlMetrics;
import etl.processor.OutboxBatch;
import etl.processor.OutboxFiles;
import etl.spool.SpoolRecord;

/**
 * Applies the outbox, exactly once. Each poll takes up to {@code etl.processor.files-per-batch} outbox files into one
 * transaction: each file's name goes into the applied-files repository (an idempotent consumer), each request's
 * Idempotency-Key into idempotency_keys, and the per-user sums of all of them into users_revenue with one UPSERT, all
 * committed together or not at all. Only after the commit do the files move to {@code outbox/.done/} (after a
 * rollback they stay). A file found again after a crash is recognised by its name and skipped.
 */
public class OutboxProcessorRoute extends RouteBuilder {

    static final String BATCH = OutboxBatch.PROPERTY;
    static final String RECORD = OutboxBatch.RECORD;

    @Override
    public void configure() {
        if (!Roles.enabled(getContext(), Roles.PROCESSOR)) {
            return;
        }
        OutboxFiles outbox = getContext().getRegistry().lookupByNameAndType("outboxFiles", OutboxFiles.class);
        EtlMetrics metrics = getContext().getRegistry().lookupByNameAndType("etlMetrics", EtlMetrics.class);

        // Every poll, batches follow one another while the last one was full: a backlog is applied without pauses.
        // A batch's files leave the outbox only after its transaction has committed (when direct:outbox-batch returns).
        // A failed batch comes back here rolled back; route configuration processor-errors then waits or isolates.
        from("timer:outbox-processor?delay=0&period={{etl.processor.poll-ms}}")
            .routeId("outbox-processor")
            .errorHandler(noErrorHandler())
            .setProperty("etlMore", constant(true))
            .loopDoWhile(exchangeProperty("etlMore").isEqualTo(true))
                .doTry()
                    .to("direct:outbox-batch")
                    .process(e -> outbox.applied(batch(e).listed()))
                    .process(e -> batch(e).committed(metrics))
                    // a full batch that applied nothing (its files all applied by another process, or not movable)
                    // waits for the next poll instead of listing the same files again at once
                    .process(e -> e.setProperty("etlMore", batch(e).full() && batch(e).appliedAnything()))
                .doCatch(Exception.class)
                    // the batch's transaction has rolled back: wait (nothing held) or isolate, then the next poll
                    .process("batchFailed")
                    .setProperty("etlMore", constant(false))
                .end()
            .end();

        // One batch, one transaction: the oldest spool files, in spool order (of two requests with one
        // Idempotency-Key, the first spooled is the one applied), then one UPSERT for all their users.
        from("direct:outbox-batch")
            .routeId("outbox-batch")
            .routeConfigurationId("processor-rollback")
            .transacted("required")
            .process("startBatch")
            .split(body())
                .to("direct:outbox-file")
            .end()
            .process("keepRejected")
            .filter(simple("${exchangeProperty." + BATCH + ".userCount()} > 0"))
                .setHeader("users", simple("${exchangeProperty." + BATCH + ".users()}"))
                .setHeader("amounts", simple("${exchangeProperty." + BATCH + ".amounts()}"))
                .to("sql:resource:classpath:sql/apply-totals.sql?dataSource=#dataSource")
            .end()
            .filter(simple("${exchangeProperty." + BATCH + ".appliedAnything()}"))
                .log("${exchangeProperty." + BATCH + ".summary()}")
            .end()
            .bean("processorBackoff", "succeeded");

        // One outbox file: skipped when its name was applied before, else each of its lines (requests) is read.
        from("direct:outbox-file")
            .routeId("outbox-file")
            // a failure goes back to outbox-batch, whose transaction rolls back
            .errorHandler(noErrorHandler())
            .setHeader(Exchange.FILE_NAME_ONLY, body())
            .removeProperty(Exchange.DUPLICATE_MESSAGE)
            .idempotentConsumer(header(Exchange.FILE_NAME_ONLY))
                .idempotentRepository("appliedFiles").removeOnFailure(false).skipDuplicate(false)
            .choice()
                .when(exchangeProperty(Exchange.DUPLICATE_MESSAGE).isEqualTo(true))
                    .process(e -> batch(e).alreadyApplied(e.getMessage().getBody(String.class)))
                .otherwise()
                    .process(e -> batch(e).startFile(e.getMessage().getBody(String.class)))
                    .process(e -> e.getMessage().setBody(Lines.of(
                            Files.newInputStream(outbox.path(e.getMessage().getBody(String.class))), 1)))
                    .split(body()).streaming().stopOnException()
                        .to("direct:outbox-request")
                    .end()
            .end();

        // One spooled request: applied unless its Idempotency-Key was applied before (checked in the transaction).
        from("direct:outbox-request")
            .routeId("outbox-request")
            .errorHandler(noErrorHandler())
            .process(OutboxProcessorRoute::readRequest)
            .filter(exchangeProperty(RECORD).isNotNull())
                .choice()
                    .when(new OutboxBatch.Isolated())
                        .process("isolatedApply")
                    .when(header("etlKey").isNull())
                        .process(e -> batch(e).apply(record(e)))
                    .otherwise()
                        .to("sql:resource:classpath:sql/claim-key.sql?dataSource=#dataSource")
                        .choice()
                            .when(header(SqlConstants.SQL_UPDATE_COUNT).isEqualTo(1))
                                .process(e -> batch(e).apply(record(e)))
                            .otherwise()
                                .process(e -> batch(e).duplicate(record(e)))
                        .end()
                .end()
            .end();
    }

    /** Reads the spool line into a record, with its key and event count as headers for the key claim. */
    private static void readRequest(Exchange e) {
        SpoolRecord r = batch(e).read(e.getMessage().getBody(String.class));
        e.setProperty(RECORD, r);
        e.getMessage().setHeader("etlKey", r == null ? null : r.key());
        e.getMessage().setHeader("etlEvents", r == null ? 0 : r.events().size());
    }

    private static OutboxBatch batch(Exchange e) {
        return e.getProperty(BATCH, OutboxBatch.class);
    }

    private static SpoolRecord record(Exchange e) {
        return e.getProperty(RECORD, SpoolRecord.class);
    }
}
