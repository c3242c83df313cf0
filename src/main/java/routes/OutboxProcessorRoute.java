package routes;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.sql.SqlConstants;

import etl.config.Roles;
import etl.processor.OutboxBatch;
import etl.spool.SpoolRecord;

/**
 * Applies the outbox, exactly once. Each file is one transaction: the file's name goes into the applied-files
 * repository (an idempotent consumer), each request's Idempotency-Key into idempotency_keys, and the per-user sums
 * into users_revenue, all committed together or not at all. Only after the commit does the file move to
 * {@code outbox/.done/}; a file found again after a crash is recognised by its name and skipped.
 */
public class OutboxProcessorRoute extends RouteBuilder {

    static final String BATCH = "etlBatch";
    static final String RECORD = "etlRecord";

    @Override
    public void configure() {
        if (!Roles.enabled(getContext(), Roles.PROCESSOR)) {
            return;
        }
        from("file:{{etl.outbox.dir}}?include=.*\\.jsonl&sortBy=file:name&charset=utf-8&readLock=none"
                + "&initialDelay=0&delay={{etl.processor.poll-ms}}&maxMessagesPerPoll={{etl.processor.files-per-poll}}"
                + "&{{etl.processor.on-applied}}")
            .routeId("outbox-processor")
            .routeConfigurationId("processor-errors")
            .transacted("required")
            .idempotentConsumer(header(Exchange.FILE_NAME_ONLY))
                .idempotentRepository("appliedFiles").removeOnFailure(false).skipDuplicate(false)
            .choice()
                .when(exchangeProperty(Exchange.DUPLICATE_MESSAGE).isEqualTo(true))
                    .log("Outbox ${header.CamelFileNameOnly}: already applied, not applied again")
                .otherwise()
                    .process(e -> e.setProperty(BATCH, new OutboxBatch(e.getMessage().getHeader(
                            Exchange.FILE_NAME_ONLY, String.class))))
                    .split(body().tokenize("\n")).streaming().stopOnException()
                        .to("direct:outbox-request")
                    .end()
                    .setBody(simple("${exchangeProperty." + BATCH + ".rows()}"))
                    .filter(simple("${body.isEmpty()} == false"))
                        .to("sql:resource:classpath:sql/apply-totals.sql?dataSource=#dataSource&batch=true")
                    .end()
                    .log("Outbox ${header.CamelFileNameOnly}: ${exchangeProperty." + BATCH + ".summary()}")
            .end()
            .bean("processorBackoff", "succeeded");

        // One spooled request: applied unless its Idempotency-Key was applied before (checked in the transaction).
        from("direct:outbox-request")
            .routeId("outbox-request")
            // a failure goes back to outbox-processor, whose transaction rolls back
            .errorHandler(noErrorHandler())
            .setProperty(RECORD, simple("${exchangeProperty." + BATCH + ".read(${body})}"))
            .filter(exchangeProperty(RECORD).isNotNull())
                .choice()
                    .when(simple("${exchangeProperty." + RECORD + ".key()} == null"))
                        .process(e -> batch(e).apply(record(e)))
                    .otherwise()
                        .setHeader("etlKey", simple("${exchangeProperty." + RECORD + ".key()}"))
                        .setHeader("etlEvents", simple("${exchangeProperty." + RECORD + ".events().size()}"))
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

    private static OutboxBatch batch(Exchange e) {
        return e.getProperty(BATCH, OutboxBatch.class);
    }

    private static SpoolRecord record(Exchange e) {
        return e.getProperty(RECORD, SpoolRecord.class);
    }
}
