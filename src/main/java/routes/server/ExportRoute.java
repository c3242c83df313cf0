package routes.server;

import org.apache.camel.BeanInject;
import org.apache.camel.Processor;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.support.builder.PredicateBuilder;

import etl.http.AuthToken;
import etl.http.HttpReply;
import etl.http.RequestBodyReader;
import etl.http.TrustedHeaders;
import etl.jobs.ExportFiles;
import etl.jobs.ExportSteps;
import etl.jobs.JobSteps;

/**
 * The export API (token required on every path): {@code POST /exports} queues a job (202 and its Location), {@code
 * GET /exports/{id}} shows its state, {@code GET /exports/{id}/file} serves the finished file, {@code DELETE
 * /exports/{id}} removes both. The work itself runs in route {@code export-runner} (ExportJobsRoute).
 */
public class ExportRoute extends RouteBuilder {

    private static final String DB = "?dataSource=#dataSource";
    private static final String ONE = DB + "&outputType=SelectOne";

    @BeanInject
    private AuthToken authorized;
    @BeanInject
    private RequestBodyReader readBody;
    @BeanInject
    private ExportFiles exportFiles;

    @Override
    public void configure() {
        from("platform-http:/exports?httpMethodRestrict=POST&useBodyHandler=false&muteException=true")
            .routeId("http-export-create")
            .routeConfigurationId("http-errors")
            .process("trustedHeaders")
            .choice()
                .when(PredicateBuilder.not(authorized))
                    .process(HttpReply.error(401, "missing or wrong Authorization token"))
                .when(new TrustedHeaders.BadKey())
                    .process(new TrustedHeaders.RefuseKey())
                .otherwise()
                    .process(new ExportSteps.Parse(readBody))
                    .choice()
                        .when(header(ExportSteps.Parse.WRONG_TYPE).isNotNull())
                            .process(new ExportSteps.WrongType())
                        .when(header(HttpReply.INVALID_REASON).isNotNull())
                            .process(new HttpReply.FieldRefused())
                        .otherwise()
                            .to("direct:export-queue")
                    .end()
            .end();

        // a new job, or with a known Idempotency-Key the job that key made first; answered 202 with its state
        from("direct:export-queue")
            .routeId("http-export-queue")
            .routeConfigurationId("http-errors")
            .process(new JobSteps.New("export"))
            .to("sql:classpath:sql/job-create.sql" + ONE + "&outputHeader=etlJobCreated")
            .filter(header("etlJobCreated").isNull())
                .to("sql:classpath:sql/job-by-key.sql" + ONE + "&outputHeader=" + JobSteps.ID)
            .end()
            .to("sql:classpath:sql/job-get.sql" + ONE)
            .process(new JobSteps.Show("/exports", 202));

        namedExport("platform-http:/exports/{id}?httpMethodRestrict=GET&muteException=true", "http-export-status",
                "job-get.sql", new JobSteps.Show("/exports", 200));

        namedExport("platform-http:/exports/{id}/file?httpMethodRestrict=GET&muteException=true", "http-export-file",
                "job-get.sql", new ExportSteps.SendFile(exportFiles));

        namedExport("platform-http:/exports/{id}?httpMethodRestrict=DELETE&muteException=true", "http-export-delete",
                "job-delete.sql", exportFiles.new RemoveFile(), new ExportSteps.Deleted());
    }

    /**
     * A route on one export named by its path: the token, the id, the job's row by {@code sql} (none: 404), then
     * {@code steps} on that row.
     */
    private void namedExport(String uri, String routeId, String sql, Processor... steps) {
        var found = from(uri)
            .routeId(routeId)
            .routeConfigurationId("http-errors")
            .process("trustedHeaders")
            .process(new JobSteps.Named("export"))
            .choice()
                .when(PredicateBuilder.not(authorized))
                    .process(HttpReply.error(401, "missing or wrong Authorization token"))
                .when(header(JobSteps.ID).isNull())
                    .process(new JobSteps.NotFound("export"))
                .otherwise()
                    .to("sql:classpath:sql/" + sql + ONE)
                    .choice()
                        .when(body().isNull())
                            .process(new JobSteps.NotFound("export"))
                        .otherwise();
        for (Processor step : steps) {
            found.process(step);
        }
        found.end().end();
    }
}
