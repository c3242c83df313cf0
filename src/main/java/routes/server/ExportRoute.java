package routes.server;

import org.apache.camel.BeanInject;
import org.apache.camel.builder.RouteBuilder;

import etl.http.AuthToken;
import etl.http.RequestBodyReader;
import etl.jobs.ExportFiles;
import etl.jobs.ExportRequest;
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
        JobRoutes.create(this, authorized, readBody, "export", "http-export-create", ExportRequest::read);

        JobRoutes.named(this, authorized, "export", "platform-http:/exports/{id}?httpMethodRestrict=GET&muteException=true",
                "http-export-status", "job-get.sql", new JobSteps.Show(200));

        JobRoutes.named(this, authorized, "export",
                "platform-http:/exports/{id}/file?httpMethodRestrict=GET&muteException=true", "http-export-file",
                "job-get.sql", new ExportSteps.SendFile(exportFiles));

        JobRoutes.named(this, authorized, "export",
                "platform-http:/exports/{id}?httpMethodRestrict=DELETE&muteException=true", "http-export-delete",
                "job-delete.sql", exportFiles.new RemoveFile(), new ExportSteps.Deleted());
    }
}
