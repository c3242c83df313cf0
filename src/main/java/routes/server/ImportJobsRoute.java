package routes.server;

import org.apache.camel.BeanInject;
import org.apache.camel.builder.RouteBuilder;

import etl.jobs.ImportSteps;
import etl.jobs.JobMetrics;
import etl.jobs.JobSettings;

/**
 * Runs the queued imports, one at a time in this process: the job's file read in chunks of lines (ImportRun), each
 * chunk's valid events spooled as one request with the chunk's Idempotency-Key through the server's group commit
 * ({@code direct:spool}), so that the processor applies the import as it applies any request, exactly once even when
 * a run is repeated after a crash (a chunk whose key was applied is not spooled again). Failures: route configuration
 * {@code job-errors}.
 */
public class ImportJobsRoute extends RouteBuilder {

    private static final String DB = "?dataSource=#dataSource";

    @BeanInject
    private JobSettings jobs;
    @BeanInject
    private JobMetrics jobMetrics;
    @BeanInject
    private ImportSteps importSteps;

    @Override
    public void configure() {
        JobRoutes.runner(this, "import", "Import", 700, jobs, jobs.jobRetentionMillis())
                .process(importSteps.new Open())
                .split(body()).streaming().stopOnException()
                    .to("direct:import-chunk")
                .end()
                .process(new ImportSteps.Finish())
                .to("sql:classpath:sql/job-complete.sql" + DB)
                .process(jobMetrics.new Completed())
                .process(importSteps.new RemoveUpload())
                .log("Import ${header.etlJobId}: completed: ${header.etlJobResult}")
            .end();

        from("direct:import-chunk")
            .routeId("import-chunk")
            .process(importSteps.new PrepareChunk())
            .filter(header("etlEvents").isGreaterThan(0))
                .filter(header(ImportSteps.APPLIED).isNull())
                    .to("direct:spool")
                .end()
            .end()
            .process(importSteps.new ChunkDone());
    }
}
