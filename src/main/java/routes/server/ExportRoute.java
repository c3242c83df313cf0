package routes.server;

import org.apache.camel.BeanInject;
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
                            .process(new JobSteps.New("export"))
                            .to("direct:job-queue")
                            .process(new JobSteps.Show(202))
                    .end()
            .end();

        NamedJob.route(this, authorized, "export", "platform-http:/exports/{id}?httpMethodRestrict=GET&muteException=true",
                "http-export-status", "job-get.sql", new JobSteps.Show(200));

        NamedJob.route(this, authorized, "export",
                "platform-http:/exports/{id}/file?httpMethodRestrict=GET&muteException=true", "http-export-file",
                "job-get.sql", new ExportSteps.SendFile(exportFiles));

        NamedJob.route(this, authorized, "export",
                "platform-http:/exports/{id}?httpMethodRestrict=DELETE&muteException=true", "http-export-delete",
                "job-delete.sql", exportFiles.new RemoveFile(), new ExportSteps.Deleted());
    }
}
