package routes.server;

import org.apache.camel.Predicate;
import org.apache.camel.Processor;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.ExpressionNode;
import org.apache.camel.support.builder.PredicateBuilder;

import etl.http.HttpReply;
import etl.http.RequestBodyReader;
import etl.http.TrustedHeaders;
import etl.jobs.JobSettings;
import etl.jobs.JobSteps;

/**
 * The shapes the job routes share, helpers of the job RouteBuilders (not RouteBuilders themselves). {@link #create}:
 * {@code POST /exports}, {@code POST /audits}: the token, the Idempotency-Key, the JSON request read by the kind's
 * reader (415, 400 by field), the job queued, 202. {@link #named}: the shape every route on one job shares
 * ({@code GET /exports/{id}}, {@code GET /imports/{id}/rejected}, …): the token, the id from the path, the job's row by
 * a SQL file (no such job: 404), then the route's own steps on that row. {@link #runner}: the start of every runner
 * ({@code export-runner}, {@code import-runner}, {@code audit-runner}).
 */
final class JobRoutes {

    private JobRoutes() {
    }

    static void create(RouteBuilder b, Predicate authorized, RequestBodyReader readBody, String kind, String routeId,
            JobSteps.RequestReader reader) {
        b.from("platform-http:/" + kind + "s?httpMethodRestrict=POST&useBodyHandler=false&muteException=true")
            .routeId(routeId)
            .routeConfigurationId("http-errors")
            .process("trustedHeaders")
            .choice()
                .when(PredicateBuilder.not(authorized))
                    .process(HttpReply.error(401, "missing or wrong Authorization token"))
                .when(new TrustedHeaders.BadKey())
                    .process(new TrustedHeaders.RefuseKey())
                .otherwise()
                    .process(new JobSteps.ParseRequest(readBody, reader))
                    .choice()
                        .when(b.header(JobSteps.WRONG_TYPE).isNotNull())
                            .process(new JobSteps.WrongType())
                        .when(b.header(HttpReply.INVALID_REASON).isNotNull())
                            .process(new HttpReply.FieldRefused())
                        .otherwise()
                            .process(new JobSteps.New(kind))
                            .to("direct:job-queue")
                            .process(new JobSteps.Show(202))
                    .end()
            .end();
    }

    /**
     * A runner's route up to its own work: every poll, the jobs of the kind interrupted too often are failed, the oldest
     * waiting one is claimed (none: the exchange ends), its id goes to a header and the log says which attempt this is.
     * The caller adds the work, job-complete.sql and the metrics, and ends the filter.
     */
    static ExpressionNode runner(RouteBuilder b, String kind, String name, long delayMillis, JobSettings jobs,
            long retentionMillis) {
        String db = "?dataSource=#dataSource";
        return b.from("timer:" + kind + "-runner?delay=" + delayMillis + "&period={{etl.jobs.poll-ms}}")
            .routeId(kind + "-runner")
            .routeConfigurationId("job-errors")
            .process(new JobSteps.Claim(kind, jobs, retentionMillis))
            .to("sql:classpath:sql/job-give-up.sql" + db)
            .to("sql:classpath:sql/job-claim.sql" + db + "&outputType=SelectOne")
            .filter(b.body().isNotNull())
                .process(new JobSteps.Claimed())
                .log(name + " ${header.etlJobId}: running (attempt ${body[attempts]})");
    }

    static void named(RouteBuilder b, Predicate authorized, String kind, String uri, String routeId, String sql,
            Processor... steps) {
        var found = b.from(uri)
            .routeId(routeId)
            .routeConfigurationId("http-errors")
            .process("trustedHeaders")
            .process(new JobSteps.Named(kind))
            .choice()
                .when(PredicateBuilder.not(authorized))
                    .process(HttpReply.error(401, "missing or wrong Authorization token"))
                .when(b.header(JobSteps.ID).isNull())
                    .process(new JobSteps.NotFound(kind))
                .otherwise()
                    .to("sql:classpath:sql/" + sql + "?dataSource=#dataSource&outputType=SelectOne")
                    .choice()
                        .when(b.body().isNull())
                            .process(new JobSteps.NotFound(kind))
                        .otherwise();
        for (Processor step : steps) {
            found.process(step);
        }
        found.end().end();
    }
}
