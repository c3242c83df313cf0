package routes.server;

import org.apache.camel.BeanInject;
import org.apache.camel.builder.RouteBuilder;

import etl.jobs.ExportFiles;
import etl.jobs.JobMetrics;
import etl.jobs.JobSettings;

/**
 * Runs the queued exports, one at a time in this process (others take the next: job-claim.sql skips locked rows), and
 * removes the files no export owns. A run that fails is queued again while it has attempts left (job-failed.sql, in route
 * configuration {@code job-errors}); one whose process died is claimed again when its lease runs out.
 */
public class ExportJobsRoute extends RouteBuilder {

    private static final String DB = "?dataSource=#dataSource";

    @BeanInject
    private JobSettings jobs;
    @BeanInject
    private JobMetrics jobMetrics;
    @BeanInject
    private ExportFiles exportFiles;

    @Override
    public void configure() {
        JobRoutes.runner(this, "export", "Export", 500, jobs, jobs.exportRetentionMillis())
                .process("exportWriter")
                .to("sql:classpath:sql/job-complete.sql" + DB)
                .process(jobMetrics.new Completed())
                .log("Export ${header.etlJobId}: completed, ${header.etlJobDone} rows")
            .end();

        // what no export owns any more (a job deleted while its file was written, a part file of a dead run)
        from("timer:export-orphans?delay=5000&period={{etl.exports.sweep-ms}}")
            .routeId("export-orphans")
            .to("sql:classpath:sql/export-ids.sql" + DB)
            .process(exportFiles.new RemoveOrphans());
    }
}
