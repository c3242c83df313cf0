package routes.server;

import org.apache.camel.BeanInject;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.support.builder.PredicateBuilder;

import etl.http.AuthToken;
import etl.http.HttpReply;
import etl.http.TrustedHeaders;
import etl.jobs.ImportSteps;
import etl.jobs.JobSteps;

/**
 * The import API (token required on every path): {@code POST /imports} takes a JSON Lines or CSV file, streamed to
 * disk by the upload door (etl.http.UploadDoor) and forced to disk here, and queues a job (202 and its Location);
 * {@code GET /imports/{id}} shows its state and counts, {@code GET /imports/{id}/rejected} its rejected lines. The
 * work runs in route {@code import-runner} (ImportJobsRoute).
 */
public class ImportRoute extends RouteBuilder {

    @BeanInject
    private AuthToken authorized;
    @BeanInject
    private ImportSteps importSteps;

    @Override
    public void configure() {
        from("platform-http:/imports?httpMethodRestrict=POST&useBodyHandler=false&muteException=true")
            .routeId("http-import-create")
            .routeConfigurationId("http-errors")
            .process("trustedHeaders")
            .choice()
                .when(PredicateBuilder.not(authorized))
                    .process(HttpReply.error(401, "missing or wrong Authorization token"))
                .when(new TrustedHeaders.BadKey())
                    .process(new TrustedHeaders.RefuseKey())
                .otherwise()
                    .process(new JobSteps.New("import"))
                    .process(importSteps.new Accept())
                    .choice()
                        .when(header(ImportSteps.WRONG_FORMAT).isNotNull())
                            .process(new ImportSteps.WrongFormat())
                        .otherwise()
                            .to("direct:job-queue")
                            .filter(header(JobSteps.NEW_ID).isNotNull())
                                .process(importSteps.new DropRepeat())
                            .end()
                            .process(new JobSteps.Show(202))
                    .end()
            .end();

        JobRoutes.named(this, authorized, "import", "platform-http:/imports/{id}?httpMethodRestrict=GET&muteException=true",
                "http-import-status", "job-get.sql", new JobSteps.Show(200));

        JobRoutes.named(this, authorized, "import",
                "platform-http:/imports/{id}/rejected?httpMethodRestrict=GET&muteException=true", "http-import-rejected",
                "job-get.sql", importSteps.new SendRejected());
    }
}
