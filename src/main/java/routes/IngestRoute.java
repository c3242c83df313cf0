package routes;

import java.util.OptionalInt;

import org.apache.camel.builder.RouteBuilder;

import etl.config.Roles;
import etl.event.IdempotencyKeys;
import etl.event.RequestParser;
import etl.http.AuthToken;
import etl.http.HttpReply;
import etl.http.Json;
import etl.http.RequestBodyReader;
import etl.metrics.EtlMetrics;
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
        // the beans are called directly: a method() or bean() call per request cost about 15% of the CPU of
        // bench/ingest.sh (Camel's bean binding, JFR)
        var registry = getContext().getRegistry();
        RequestBodyReader bodyReader = registry.lookupByNameAndType("requestBodyReader", RequestBodyReader.class);
        AuthToken token = registry.lookupByNameAndType("authToken", AuthToken.class);
        IdempotencyKeys keys = registry.lookupByNameAndType("idempotencyKeys", IdempotencyKeys.class);
        EtlMetrics metrics = registry.lookupByNameAndType("etlMetrics", EtlMetrics.class);

        from("platform-http:/liveEvent?httpMethodRestrict=POST&useBodyHandler=false&muteException=true")
            .routeId("http-ingest")
            .routeConfigurationId("http-errors")
            .process("trustedHeaders")
            .process(e -> e.getMessage().setBody(bodyReader.read(e.getMessage().getBody())))
            .choice()
                .when(e -> !token.matches(e.getMessage().getHeader("Authorization", String.class)))
                    .process(HttpReply.error(401, "missing or wrong Authorization token"))
                .when(header(etl.http.TrustedHeaders.BAD_KEY).isNotNull())
                    .process(HttpReply.error(400, "Idempotency-Key is not valid UTF-8"))
                .when(new IdempotencyKeys.Blank())
                    // an empty key would make every later keyless-looking request a "duplicate" of the first
                    .process(HttpReply.error(400, "Idempotency-Key is empty; send a non-blank key or none"))
                .when(new IdempotencyKeys.TooLong())
                    .process(HttpReply.error(400, "Idempotency-Key is longer than " + IdempotencyKeys.MAX_KEY_LENGTH
                            + " characters"))
                .otherwise()
                    .to("direct:ingest-accept")
            .end();

        from("direct:ingest-accept")
            .routeId("http-ingest-accept")
            .routeConfigurationId("http-errors")
            .process(e -> e.setProperty(APPLIED,
                    keys.appliedEvents(e.getMessage().getHeader("Idempotency-Key", String.class))))
            .choice()
                .when(e -> e.getProperty(APPLIED, OptionalInt.class).isPresent())
                    .process(HttpReply.json(200, e -> Json.accepted(
                            e.getProperty(APPLIED, OptionalInt.class).getAsInt(), true)))
                .otherwise()
                    .process(IngestRoute::parse)
                    .choice()
                        .when(header("etlInvalid").isGreaterThan(0))
                            .process(e -> metrics.rejectedHttp(e.getMessage().getHeader("etlInvalid", Integer.class)))
                            .process(HttpReply.json(400, e -> {
                                RequestParser.Parsed p = e.getProperty(PARSED, RequestParser.Parsed.class);
                                return Json.invalid(p.invalid(), p.invalidCount());
                            }))
                        .when(header("etlEvents").isEqualTo(0))
                            .process(HttpReply.json(200, e -> Json.accepted(0, false)))
                        .otherwise()
                            .setBody(exchange -> SpoolRecord.line(
                                    exchange.getMessage().getHeader("Idempotency-Key", String.class),
                                    exchange.getProperty(PARSED, RequestParser.Parsed.class).events()))
                            .to("direct:spool")
                            .process(e -> metrics.accepted(e.getMessage().getHeader("etlEvents", Integer.class)))
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
