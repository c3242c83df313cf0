package routes;

import static org.apache.camel.support.builder.PredicateBuilder.and;
import static org.apache.camel.support.builder.PredicateBuilder.not;

import java.math.BigDecimal;

import org.apache.camel.builder.RouteBuilder;

import etl.config.Roles;
import etl.http.HttpReply;
import etl.http.PathUserId;
import etl.http.Json;

/** {@code GET /userEvents/{userId}}: a user's applied total, or 404 when nothing was applied for that user. */
public class QueryRoute extends RouteBuilder {

    @Override
    public void configure() throws Exception {
        if (!Roles.enabled(getContext(), Roles.SERVER)) {
            return;
        }
        from("platform-http:/userEvents/{userId}?httpMethodRestrict=GET&muteException=true")
            .routeId("http-query")
            .routeConfigurationId("http-errors")
            .process("trustedHeaders")
            .process("pathUserId")
            .choice()
                .when(and(simple("{{etl.query.require-token}}"),
                        not(method("authToken", "matches(${header.Authorization})"))))
                    .process(HttpReply.error(401, "missing or wrong Authorization token"))
                .when(header(PathUserId.INVALID).isNotNull())
                    .process(HttpReply.json(400, e -> Json.error(e.getMessage().getHeader(PathUserId.INVALID,
                            String.class))))
                .when(header(PathUserId.NONE).isNotNull())
                    .process(HttpReply.json(404, e -> Json.error("no event applied yet for user "
                            + e.getMessage().getHeader("userId"))))
                .otherwise()
                    .to("sql:SELECT revenue FROM users_revenue WHERE user_id = :#${header.userId}"
                            + "?dataSource=#dataSource&outputType=SelectOne&outputHeader=etlRevenue")
                    .choice()
                        .when(header("etlRevenue").isNull())
                            .process(HttpReply.json(404, e -> Json.error(
                                    "no event applied yet for user " + e.getMessage().getHeader("userId"))))
                        .otherwise()
                            .process(HttpReply.json(200, e -> Json.revenue(
                                    e.getMessage().getHeader("userId", String.class),
                                    e.getMessage().getHeader("etlRevenue", BigDecimal.class))))
                    .end()
            .end();

        // anything else: a JSON 404 (Vert.x would answer in HTML). Vert.x tries routes in the order they were added,
        // so this one is started last, once every other route is in place.
        getContext().addStartupListener(new org.apache.camel.ExtendedStartupListener() {
            @Override
            public void onCamelContextStarted(org.apache.camel.CamelContext context, boolean alreadyStarted) {
            }

            @Override
            public void onCamelContextFullyStarted(org.apache.camel.CamelContext context, boolean alreadyStarted)
                    throws Exception {
                context.getRouteController().startRoute("http-not-found");
            }
        });
        from("platform-http:/?matchOnUriPrefix=true&muteException=true")
            .routeId("http-not-found")
            .autoStartup(false)
            .routeConfigurationId("http-errors")
            .process(HttpReply.json(404, e -> Json.error("no such resource: "
                    + e.getMessage().getHeader(org.apache.camel.Exchange.HTTP_METHOD) + " "
                    + e.getMessage().getHeader(org.apache.camel.Exchange.HTTP_PATH))));
    }
}
