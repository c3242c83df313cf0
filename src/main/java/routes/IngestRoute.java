package routes;

import static org.apache.camel.support.builder.PredicateBuilder.not;

import org.apache.camel.builder.RouteBuilder;

import etl.config.Roles;
import etl.event.IdempotencyKeys;
import etl.event.RequestParser;
import etl.http.HttpReply;
import etl.http.Json;
import etl.spool.SpoolRecord;

/**
 * {@code POST /liveEvent}: checks the token, reads the raw body (whatever its Content-Type), validates every event
 * (all or nothing), and answers 200 only after the request is durably in the outbox (route {@code outbox-spool}).
 */
public class IngestRoute extends RouteBuilder {

    static final String PARSED = "etlParsed";
    static final String APPLIED = "etlAppliedEvents";

    @Override
    public void configure() {
        if (!Roles.enabled(getContext(), Roles.SERVER)) {
            return;
        }
        from("platform-http:/liveEvent?httpMethodRestrict=POST&useBodyHandler=false&muteException=true")
            .routeId("http-ingest")
            .routeConfigurationId("http-errors")
            .setBody(method("requestBodyReader", "read"))
            .choice()
                .when(not(method("authToken", "matches(${header.Authorization})")))
                    .process(HttpReply.error(401, "missing or wrong Authorization token"))
                .when(simple("${header.Idempotency-Key} != null && ${header.Idempotency-Key.length()} > "
                        + IdempotencyKeys.MAX_KEY_LENGTH))
                    .process(HttpReply.error(400, "Idempotency-Key is longer than " + IdempotencyKeys.MAX_KEY_LENGTH
                            + " characters"))
                .otherwise()
                    .to("direct:ingest-accept")
            .end();

        from("direct:ingest-accept")
            .routeId("http-ingest-accept")
            .routeConfigurationId("http-errors")
            .setProperty(APPLIED, method("idempotencyKeys", "appliedEvents(${header.Idempotency-Key})"))
            .choice()
                .when(simple("${header.Idempotency-Key} != null && ${exchangeProperty." + APPLIED + ".isPresent()}"))
                    .process(HttpReply.json(200, e -> Json.accepted(
                            e.getProperty(APPLIED, java.util.OptionalInt.class).getAsInt(), true)))
                .otherwise()
                    .process(IngestRoute::parse)
                    .choice()
                        .when(header("etlInvalid").isGreaterThan(0))
                            .bean("etlMetrics", "rejectedHttp(${header.etlInvalid})")
                            .process(HttpReply.json(400, e -> {
                                RequestParser.Parsed p = e.getProperty(PARSED, RequestParser.Parsed.class);
                                return Json.invalid(p.invalid(), p.invalidCount());
                            }))
                        .when(header("etlEvents").isEqualTo(0))
                            .process(HttpReply.json(200, e -> Json.accepted(0, false)))
                        .otherwise()
                            .setBody(exchange -> SpoolRecord.line(
                                    exchange.getMessage().getHeader("Idempotency-Key", String.class),
                                    exchange.getMessage().getBody(byte[].class),
                                    RequestParser.isJsonLines(exchange.getMessage().getHeader("Content-Type",
                                            String.class))))
                            .to("direct:spool")
                            .bean("etlMetrics", "accepted(${header.etlEvents})")
                            .process(HttpReply.json(200, e -> Json.accepted(
                                    e.getMessage().getHeader("etlEvents", Integer.class), false)))
                    .end()
            .end();
    }

    /** Parses the body (all or nothing); the counts go to headers for the choice. */
    private static void parse(org.apache.camel.Exchange e) {
        RequestParser.Parsed parsed = RequestParser.parse(e.getMessage().getBody(byte[].class),
                e.getMessage().getHeader("Content-Type", String.class));
        e.setProperty(PARSED, parsed);
        e.getMessage().setHeader("etlInvalid", parsed.invalidCount());
        e.getMessage().setHeader("etlEvents", parsed.events().size());
    }
}
