package routes.server;

import org.apache.camel.BeanInject;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.support.builder.PredicateBuilder;

import etl.http.AuthToken;
import etl.http.HttpReply;
import etl.http.ListingSteps;
import etl.http.PathUserId;
import etl.http.QuerySteps;

/**
 * {@code GET /userEvents/{userId}}: a user's applied total, or 404 when nothing was applied for that user;
 * {@code GET /userEvents?limit=&after=}: every total, paged by cursor.
 */
public class QueryRoute extends RouteBuilder {

    @BeanInject
    private AuthToken authorized;

    @Override
    public void configure() throws Exception {
        from("platform-http:/userEvents/{userId}?httpMethodRestrict=GET&muteException=true")
            .routeId("http-query")
            .routeConfigurationId("http-errors")
            .process("trustedHeaders")
            .process("pathUserId")
            .choice()
                .when(PredicateBuilder.and(simple("{{etl.query.require-token}}"), PredicateBuilder.not(authorized)))
                    .process(HttpReply.error(401, "missing or wrong Authorization token"))
                .when(header(PathUserId.INVALID).isNotNull())
                    .process(new QuerySteps.BadPath())
                .when(header(PathUserId.NONE).isNotNull())
                    .process(new QuerySteps.NoUser())
                .otherwise()
                    .to("sql:SELECT revenue FROM users_revenue WHERE user_id = :#${header.userId}"
                            + "?dataSource=#dataSource&outputType=SelectOne&outputHeader=" + QuerySteps.REVENUE)
                    .choice()
                        .when(header(QuerySteps.REVENUE).isNull())
                            .process(new QuerySteps.NoUser())
                        .otherwise()
                            .process(new QuerySteps.Revenue())
                    .end()
            .end();

        // every total, a page at a time; a bulk read, so the token is required whatever etl.query.require-token says
        from("platform-http:/userEvents?httpMethodRestrict=GET&muteException=true")
            .routeId("http-list")
            .routeConfigurationId("http-errors")
            .process("trustedHeaders")
            .process(new ListingSteps.Page())
            .choice()
                .when(new ListingSteps.NotTheListing())
                    .process(new QuerySteps.NoSuchResource())
                .when(PredicateBuilder.not(authorized))
                    .process(HttpReply.error(401, "missing or wrong Authorization token"))
                .when(header(HttpReply.INVALID_REASON).isNotNull())
                    .process(new HttpReply.FieldRefused())
                .otherwise()
                    .to("sql:classpath:sql/list-totals.sql?dataSource=#dataSource")
                    .process(new ListingSteps.Reply())
            .end();

        // anything else: a JSON 404 (Vert.x would answer in HTML). Vert.x tries routes in the order they were added,
        // so this one starts last.
        from("platform-http:/?matchOnUriPrefix=true&muteException=true")
            .routeId("http-not-found")
            .startupOrder(Integer.MAX_VALUE)
            .routeConfigurationId("http-errors")
            .process(new QuerySteps.NoSuchResource());
    }
}
