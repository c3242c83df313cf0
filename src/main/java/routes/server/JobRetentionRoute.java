package routes.server;

import org.apache.camel.BeanInject;
import org.apache.camel.builder.RouteBuilder;

import etl.jobs.ExportFiles;
import etl.jobs.ImportSteps;
import etl.jobs.JobSteps;

/**
 * Removes finished jobs past their retention: an export's file, an import's rejected lines (and its upload if still
 * there), then the job's row. A job is gone from the API as soon as it expires (job-get.sql), before this runs.
 */
public class JobRetentionRoute extends RouteBuilder {

    private static final String DB = "?dataSource=#dataSource";

    @BeanInject
    private ExportFiles exportFiles;
    @BeanInject
    private ImportSteps importSteps;

    @Override
    public void configure() {
        from("timer:job-retention?delay=5000&period={{etl.exports.sweep-ms}}")
            .routeId("job-retention")
            .to("sql:classpath:sql/job-expired.sql" + DB)
            .split(body())
                .setHeader(JobSteps.ID, simple("${body[id]}"))
                .choice()
                    .when(simple("${body[kind]} == 'export'"))
                        .process(exportFiles.new RemoveFile())
                    .when(simple("${body[kind]} == 'import'"))
                        .process(importSteps.new RemoveFiles())
                .end()
                .to("sql:classpath:sql/job-forget.sql" + DB)
                .log("Job ${header.etlJobId} (${body[kind]}) expired: removed with its files")
            .end();
    }
}
