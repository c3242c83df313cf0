package routes.server;

import org.apache.camel.BeanInject;
import org.apache.camel.builder.RouteBuilder;

import etl.http.AuthToken;
import etl.http.RequestBodyReader;
import etl.jobs.AuditRequest;
import etl.jobs.JobMetrics;
import etl.jobs.JobSettings;
import etl.jobs.JobSteps;

/**
 * The audit: {@code POST /audits} (token required; {@code {"rebuild": true}} optional) queues a job that re-reads the
 * raw event store and compares it with the totals (route {@code audit-runner}, etl.jobs.AuditRun); {@code GET
 * /audits/{id}} shows what it found.
 */
public class AuditRoute extends RouteBuilder {

    private static final String DB = "?dataSource=#dataSource";

    @BeanInject
    private AuthToken authorized;
    @BeanInject
    private RequestBodyReader readBody;
    @BeanInject
    private JobSettings jobs;
    @BeanInject
    private JobMetrics jobMetrics;

    @Override
    public void configure() {
        JobRoutes.create(this, authorized, readBody, "audit", "http-audit-create", AuditRequest::read);

        JobRoutes.named(this, authorized, "audit", "platform-http:/audits/{id}?httpMethodRestrict=GET&muteException=true",
                "http-audit-status", "job-get.sql", new JobSteps.Show(200));

        JobRoutes.runner(this, "audit", "Audit", 900, jobs, jobs.jobRetentionMillis())
                .process("auditRun")
                .to("sql:classpath:sql/job-complete.sql" + DB)
                .process(jobMetrics.new Completed())
            .end();
    }
}
