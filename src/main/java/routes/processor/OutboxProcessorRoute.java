package routes.processor;


import org.apache.camel.BeanInject;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

import etl.kafka.KafkaMode;
import org.apache.camel.component.sql.SqlConstants;

import etl.metrics.EtlMetrics;
import etl.processor.Backoff;
import etl.processor.BatchSteps;
import etl.processor.OutboxFiles;
import etl.processor.OutboxSettled;
import etl.processor.SumByUser;
import etl.processor.SumFiles;

/**
 * Applies the outbox, exactly once. Each poll takes up to {@code etl.processor.files-per-batch} outbox files into one
 * transaction: each file's name goes into the applied-files repository (an idempotent consumer), each request's
 * Idempotency-Key into idempotency_keys, and the per-user sums of all of them (Camel's aggregation, {@link SumByUser},
 * over the splits of files and requests) into users_revenue with one statement ({@code applyTotals}), all
 * committed together or not at all. Only after the commit do the files move to {@code outbox/.done/} (after a
 * rollback they stay). A file found again after a crash is recognised by its name and skipped.
 */
public class OutboxProcessorRoute extends RouteBuilder {

    @BeanInject
    private KafkaMode kafka;

    @BeanInject
    private OutboxFiles outbox;
    @BeanInject
    private EtlMetrics metrics;
    @BeanInject
    private Backoff backoff;
    @BeanInject
    private OutboxSettled settled;

    @Override
    public void configure() {
        if (kafka.enabled()) {
            return; // Kafka mode: the log is the topic (routes.processor.KafkaProcessorRoute)
        }

        // Every look at the outbox whose files have settled (OutboxSettled: nothing new since the previous look, or the
        // first waited etl.processor.poll-ms), batches follow one another while the last one was full: a backlog is
        // applied without pauses. A batch's files leave the outbox only after its transaction has committed (when
        // direct:outbox-batch returns). A failed batch comes back here rolled back: step batchFailed then waits
        // (nothing held) or isolates.
        from("timer:outbox-processor?delay=0&period={{etl.processor.look-ms}}")
            .routeId("outbox-processor")
            .errorHandler(noErrorHandler())
            .filter(settled)
                .setHeader(BatchSteps.MORE, constant(true))
                .loopDoWhile(header(BatchSteps.MORE).isEqualTo(true))
                    .doTry()
                        .to("direct:outbox-batch")
                        .process(new BatchSteps.MoveApplied(outbox))
                        .process(new BatchSteps.Committed(metrics))
                    .doCatch(Exception.class)
                        .process("batchFailed")
                        .setHeader(BatchSteps.MORE, constant(false))
                    .end()
                .end()
            .end();

        // One batch, one transaction: the oldest spool files, in spool order (of two requests with one
        // Idempotency-Key, the first spooled is the one applied), their sums added up per user by Camel's aggregation
        // (SumByUser), then one MERGE for all their users (step applyTotals: an UPSERT instead where another process
        // inserted one of them meanwhile).
        from("direct:outbox-batch")
            .routeId("outbox-batch")
            .routeConfigurationId("processor-rollback")
            .transacted("required")
            .process("startBatch")
            // streaming: each file's exchange (its sums) is dropped once added, not held until the batch ends; SumFiles
            // tells the plan what the sums hold (outbox-file takes no further file past etl.processor.batch-memory)
            .split(body(), new SumFiles()).streaming().stopOnException()
                .to("direct:outbox-file")
            .end()
            .process(new BatchSteps.NoSums())
            .process("keepRejected")
            .filter(new BatchSteps.HasSums())
                .setHeader("users", new BatchSteps.Users())
                .setHeader("amounts", new BatchSteps.Amounts())
                .process("applyTotals")
            .end()
            .filter(new BatchSteps.AppliedAnything())
                .process(new BatchSteps.LogSummary())
            .end()
            .process(backoff.new Succeeded());

        // One outbox file, its name the body: left to the next batch when the batch's sums hold their bound
        // (etl.processor.batch-memory: not claimed, not opened); skipped when that name was applied before (the
        // idempotent consumer's repository joins the transaction), else its lines (requests) are read and their sums
        // added up per user.
        from("direct:outbox-file")
            .routeId("outbox-file")
            // a failure goes back to outbox-batch, whose transaction rolls back
            .errorHandler(noErrorHandler())
            .process(new BatchSteps.TakeFile())
            .filter(header(BatchSteps.TAKEN).isEqualTo(true))
                .removeProperty(Exchange.DUPLICATE_MESSAGE)
                .idempotentConsumer(body())
                    .idempotentRepository("appliedFiles").removeOnFailure(false).skipDuplicate(false)
                .choice()
                    .when(exchangeProperty(Exchange.DUPLICATE_MESSAGE).isEqualTo(true))
                        .process(new BatchSteps.FileAlreadyApplied())
                    .otherwise()
                        .process("openOutboxFile")
                        .split(body(), new SumByUser()).streaming().stopOnException()
                            .to("direct:outbox-request")
                        .end()
                        .process(new BatchSteps.FileApplied())
                .end()
                .end()
            .end();

        // One spooled request, the body its spool line, then its record: summed unless its Idempotency-Key was applied
        // before (claimed in the transaction), when its body becomes only that count.
        from("direct:outbox-request")
            .routeId("outbox-request")
            .errorHandler(noErrorHandler())
            .process(new BatchSteps.ReadRequest())
            .filter(new BatchSteps.IsRequest())
                .choice()
                    .when(new BatchSteps.Isolated())
                        .process("isolatedApply")
                    .when(header(BatchSteps.KEY).isNotNull())
                        .to("sql:resource:classpath:sql/claim-key.sql?dataSource=#dataSource")
                        .filter(header(SqlConstants.SQL_UPDATE_COUNT).isEqualTo(0))
                            .process(new BatchSteps.Repeated())
                        .end()
                .end()
            .end();
    }
}
