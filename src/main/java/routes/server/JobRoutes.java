package routes.server;

import org.apache.camel.Predicate;
import org.apache.camel.Processor;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.support.builder.PredicateBuilder;

import etl.http.HttpReply;
import etl.http.RequestBodyReader;
import etl.http.TrustedHeaders;
import etl.jobs.JobSteps;

/**
 * The shapes the job routes share, helpers of the job RouteBuilders (not RouteBuilders themselves). {@link #create}:
 * {@code POST /exports}, {@code POST /audits}: the token, the Idempotency-Key, the JSON request read by the kind's
 * reader (415, 400 by field), the job queued, 202. {@link #named}: the shape every route on one job shares ({@code GET /exports/{id}}, {@code GET /imports/{id}/rejected}, …): the
 * token, the id from the path, the job's row by a SQL file (no such job: 404), then the route's own steps on that row.
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
