package routes;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.sql.SqlConstants;

import etl.config.Roles;
import etl.io.Lines;
import etl.processor.OutboxBatch;
import etl.spool.SpoolRecord;

/**
 * Applies the outbox, exactly once. Each poll takes up to {@code etl.processor.files-per-batch} outbox files into one
 * transaction: each file's name goes into the applied-files repository (an idempotent consumer), each request's
 * Idempotency-Key into idempotency_keys, and the per-user sums of all of them into users_revenue with one UPSERT, all
 * committed together or not at all. The files are taken with pollEnrich, which hands each file's completion to this
 * exchange: only after the commit do they move to {@code outbox/.done/} (after a rollback they stay). A file found
 * again after a crash is recognised by its name and skipped.
 */
public class OutboxProcessorRoute extends RouteBuilder {

    static final String BATCH = "etlBatch";
    static final String RECORD = "etlRecord";

    @Override
    public void configure() {
        if (!Roles.enabled(getContext(), Roles.PROCESSOR)) {
            return;
        }
        int filesPerBatch = Integer.parseInt(
                getContext().resolvePropertyPlaceholders("{{etl.processor.files-per-batch}}"));

        from("timer:outbox-processor?delay=0&period={{etl.processor.poll-ms}}")
            .routeId("outbox-processor")
            .routeConfigurationId("processor-errors")
            .transacted("required")
            .process(e -> e.setProperty(BATCH, new OutboxBatch(
                    e.getContext().getRegistry().lookupByNameAndType("processorBackoff", etl.processor.Backoff.class)
                            .failing() ? 1 : filesPerBatch)))
            .loopDoWhile(simple("${exchangeProperty." + BATCH + ".wantsMore()}"))
                .removeProperty(Exchange.DUPLICATE_MESSAGE)
                .pollEnrich("file:{{etl.outbox.dir}}?include=.*\\.jsonl&sortBy=file:name&charset=utf-8"
                        + "&readLock=none&{{etl.processor.on-applied}}", 0)
                .choice()
                    .when(body().isNull())
                        .process(e -> batch(e).noMoreFiles())
                    .otherwise()
                        .to("direct:outbox-file")
                .end()
            .end()
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
            // a failure goes back to outbox-processor, whose transaction rolls back
            .errorHandler(noErrorHandler())
            .idempotentConsumer(header(Exchange.FILE_NAME_ONLY))
                .idempotentRepository("appliedFiles").removeOnFailure(false).skipDuplicate(false)
            .choice()
                .when(exchangeProperty(Exchange.DUPLICATE_MESSAGE).isEqualTo(true))
                    .process(e -> batch(e).alreadyApplied(e.getMessage().getHeader(Exchange.FILE_NAME_ONLY,
                            String.class)))
                .otherwise()
                    .process(e -> batch(e).startFile(e.getMessage().getHeader(Exchange.FILE_NAME_ONLY, String.class)))
                    .split(method(Lines.class, "of(${body}, 1)")).streaming().stopOnException()
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
