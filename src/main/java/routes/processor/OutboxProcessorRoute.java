package routes.processor;


import org.apache.camel.BeanInject;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.sql.SqlConstants;

import etl.metrics.EtlMetrics;
import etl.processor.Backoff;
import etl.processor.BatchSteps;
import etl.processor.OutboxBatch;
import etl.processor.OutboxFiles;

/**
 * Applies the outbox, exactly once. Each poll takes up to {@code etl.processor.files-per-batch} outbox files into one
 * transaction: each file's name goes into the applied-files repository (an idempotent consumer), each request's
 * Idempotency-Key into idempotency_keys, and the per-user sums of all of them into users_revenue with one UPSERT, all
 * committed together or not at all. Only after the commit do the files move to {@code outbox/.done/} (after a
 * rollback they stay). A file found again after a crash is recognised by its name and skipped.
 */
public class OutboxProcessorRoute extends RouteBuilder {

    @BeanInject
    private OutboxFiles outbox;
    @BeanInject
    private EtlMetrics metrics;
    @BeanInject
    private Backoff backoff;

    @Override
    public void configure() {

        // Every poll, batches follow one another while the last one was full: a backlog is applied without pauses.
        // A batch's files leave the outbox only after its transaction has committed (when direct:outbox-batch returns).
        // A failed batch comes back here rolled back: step batchFailed then waits (nothing held) or isolates.
        from("timer:outbox-processor?delay=0&period={{etl.processor.poll-ms}}")
            .routeId("outbox-processor")
            .errorHandler(noErrorHandler())
            .setProperty(BatchSteps.MORE, constant(true))
            .loopDoWhile(exchangeProperty(BatchSteps.MORE).isEqualTo(true))
                .doTry()
                    .to("direct:outbox-batch")
                    .process(new BatchSteps.MoveApplied(outbox))
                    .process(new BatchSteps.Committed(metrics))
                .doCatch(Exception.class)
                    .process("batchFailed")
                    .setProperty(BatchSteps.MORE, constant(false))
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
            .filter(new BatchSteps.HasSums())
                .setHeader("users", new BatchSteps.Users())
                .setHeader("amounts", new BatchSteps.Amounts())
                .to("sql:resource:classpath:sql/apply-totals.sql?dataSource=#dataSource")
            .end()
            .filter(new BatchSteps.AppliedAnything())
                .setBody(new BatchSteps.Summary())
                .log("${body}")
            .end()
            .process(backoff.new Succeeded());

        // One outbox file, its name the body: skipped when that name was applied before (the idempotent consumer's
        // repository joins the transaction), else each of its lines (requests) is read.
        from("direct:outbox-file")
            .routeId("outbox-file")
            // a failure goes back to outbox-batch, whose transaction rolls back
            .errorHandler(noErrorHandler())
            .removeProperty(Exchange.DUPLICATE_MESSAGE)
            .idempotentConsumer(body())
                .idempotentRepository("appliedFiles").removeOnFailure(false).skipDuplicate(false)
            .choice()
                .when(exchangeProperty(Exchange.DUPLICATE_MESSAGE).isEqualTo(true))
                    .process(new BatchSteps.FileAlreadyApplied())
                .otherwise()
                    .process(new BatchSteps.OpenFile(outbox))
                    .split(body()).streaming().stopOnException()
                        .to("direct:outbox-request")
                    .end()
            .end();

        // One spooled request: applied unless its Idempotency-Key was applied before (checked in the transaction).
        from("direct:outbox-request")
            .routeId("outbox-request")
            .errorHandler(noErrorHandler())
            .process(new BatchSteps.ReadRequest())
            .filter(exchangeProperty(OutboxBatch.RECORD).isNotNull())
                .choice()
                    .when(new OutboxBatch.Isolated())
                        .process("isolatedApply")
                    .when(header(BatchSteps.KEY).isNull())
                        .process(new BatchSteps.ApplyRequest())
                    .otherwise()
                        .to("sql:resource:classpath:sql/claim-key.sql?dataSource=#dataSource")
                        .choice()
                            .when(header(SqlConstants.SQL_UPDATE_COUNT).isEqualTo(1))
                                .process(new BatchSteps.ApplyRequest())
                            .otherwise()
                                .process(new BatchSteps.SkipRequest())
                        .end()
                .end()
            .end();
    }
}
