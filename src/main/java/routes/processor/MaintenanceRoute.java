package routes.processor;

import org.apache.camel.builder.RouteBuilder;


/**
 * Forgets old marks: Idempotency-Keys and applied outbox-file names older than {@code etl.keys.retention-days}
 * (30 days by default; the contract promises at least 7), hourly; finishes batch halves left prepared; seals spool
 * segments left open by a stopped server. Runs in the
 * processor role.
 */
public class MaintenanceRoute extends RouteBuilder {

    @Override
    public void configure() {
        from("timer:key-retention?delay={{etl.keys.purge-delay-ms}}&period={{etl.keys.purge-period-ms}}")
            .routeId("key-retention")
            .setHeader("etlRetentionDays", simple("{{etl.keys.retention-days}}"))
            .to("sql:resource:classpath:sql/purge-marks.sql?dataSource=#dataSource")
            .log("Forgot ${header.CamelSqlUpdateCount} Idempotency-Keys older than {{etl.keys.retention-days}} days")
            .to("sql:resource:classpath:sql/purge-files.sql?dataSource=#dataSource")
            .log("Forgot ${header.CamelSqlUpdateCount} applied outbox file names older than"
                    + " {{etl.keys.retention-days}} days");

        // the second half of a large batch left prepared by a process that stopped between the batch's commit and the
        // half's (etl.processor.ApplyTotals): committed or rolled back as its batch was
        from("timer:batch-halves?delay=0&period={{etl.processor.halves-check-ms}}")
            .routeId("batch-halves")
            .process("preparedHalves");

        // a spool segment left open by a server that died (kill -9): its answered requests are sealed for the
        // processor by whoever finds the segment's lock gone (etl.spool.OrphanSegments)
        from("timer:spool-orphans?delay=0&period={{etl.spool.orphan-check-ms}}")
            .routeId("spool-orphans")
            .process("orphanSegments")
            .filter(body().isGreaterThan(0))
                .log("Sealed ${body} outbox segments left open by a stopped process");

        // the archive of applied files (outbox/.done/) does not grow for ever
        from("timer:archive-retention?delay={{etl.keys.purge-delay-ms}}&period={{etl.keys.purge-period-ms}}")
            .routeId("archive-retention")
            .process("pruneArchive");
    }
}
