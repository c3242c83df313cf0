package routes.server;

import org.apache.camel.BeanInject;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.support.builder.PredicateBuilder;

import etl.http.AuthToken;
import etl.http.HttpReply;
import etl.jobs.JobList;
import etl.jobs.JobSteps;

/**
 * What the job APIs share: queueing a new job ({@code direct:job-queue}, with its Idempotency-Key: a repeat gets the
 * job the key made first; the route that calls it answers 202), and the paged lists {@code GET /imports}, {@code GET /exports} and {@code GET /audits}, newest first.
 */
public class JobApiRoute extends RouteBuilder {

    private static final String ONE = "?dataSource=#dataSource&outputType=SelectOne";

    @BeanInject
    private AuthToken authorized;

    @Override
    public void configure() {
        // headers: etlJobKind, etlJobId, etlJobRequest, etlJobKey (JobSteps.New and the kind's own steps); the body
        // becomes the job's row, header etlNewJobId is set when the key had made a job before
        from("direct:job-queue")
            .routeId("http-job-queue")
            .routeConfigurationId("http-errors")
            .to("sql:classpath:sql/job-create.sql" + ONE + "&outputHeader=etlJobCreated")
            .choice()
                .when(header("etlJobCreated").isNull())
                    // the key made a job before: that one, as it is now
                    .setHeader(JobSteps.NEW_ID, header(JobSteps.ID))
                    .to("sql:classpath:sql/job-by-key.sql" + ONE + "&outputHeader=" + JobSteps.ID)
                    .to("sql:classpath:sql/job-get.sql" + ONE)
                .otherwise()
                    // the new job as inserted, queued (a runner may have claimed it meanwhile: the 202 says queued)
                    .setBody(header("etlJobCreated"))
            .end()
            .removeHeader("etlJobCreated");

        for (String kind : new String[] {"import", "export", "audit"}) {
            from("platform-http:/" + kind + "s?httpMethodRestrict=GET&muteException=true")
                .routeId("http-" + kind + "-list")
                .routeConfigurationId("http-errors")
                .process("trustedHeaders")
                .process(new JobList.Page(kind))
                .choice()
                    .when(PredicateBuilder.not(authorized))
                        .process(HttpReply.error(401, "missing or wrong Authorization token"))
                    .when(header(HttpReply.INVALID_REASON).isNotNull())
                        .process(new HttpReply.FieldRefused())
                    .otherwise()
                        .to("sql:classpath:sql/job-list.sql?dataSource=#dataSource")
                        .process(new JobList.Reply())
                .end();
        }
    }
}
