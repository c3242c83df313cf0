package routes.server;

import org.apache.camel.Predicate;
import org.apache.camel.Processor;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.support.builder.PredicateBuilder;

import etl.http.HttpReply;
import etl.jobs.JobSteps;

/**
 * The shape every route on one job shares ({@code GET /exports/{id}}, {@code GET /imports/{id}/rejected}, …): the
 * token, the id from the path, the job's row by a SQL file (no such job: 404), then the route's own steps on that row.
 * A helper of the job RouteBuilders, not a RouteBuilder itself.
 */
final class NamedJob {

    private NamedJob() {
    }

    static void route(RouteBuilder b, Predicate authorized, String kind, String uri, String routeId, String sql,
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
