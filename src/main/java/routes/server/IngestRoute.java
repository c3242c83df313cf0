package routes.server;

import org.apache.camel.BeanInject;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.support.builder.PredicateBuilder;

import etl.event.IdempotencyKeys;
import etl.http.AuthToken;
import etl.http.HttpReply;
import etl.http.IngestSteps;
import etl.http.RequestBodyReader;
import etl.http.TrustedHeaders;
import etl.metrics.EtlMetrics;

/**
 * {@code POST /liveEvent}: checks the token, reads the raw body (whatever its Content-Type), validates every event
 * (all or nothing), and answers 200 only after the request is durably in the outbox (route {@code outbox-spool}).
 * The steps are typed objects called directly: a method() or bean() call per request cost about 15% of the CPU of
 * bench/ingest.sh (Camel's bean binding, JFR). The endpoint's engine ({@code etl.http.ResumingHttpEngine}) lets the
 * route's worker go at the spool step; the route ends on the request's event loop once its group is on disk.
 */
public class IngestRoute extends RouteBuilder {

    @BeanInject
    private RequestBodyReader readBody;
    @BeanInject
    private AuthToken authorized;
    @BeanInject
    private IdempotencyKeys appliedKeys;
    @BeanInject
    private EtlMetrics metrics;

    @Override
    public void configure() {
        from("platform-http:/liveEvent?httpMethodRestrict=POST&useBodyHandler=false&muteException=true"
                + "&platformHttpEngine=#resumingHttpEngine")
            .routeId("http-ingest")
            .routeConfigurationId("http-errors")
            .process("trustedHeaders")
            .process(readBody)
            .choice()
                .when(PredicateBuilder.not(authorized))
                    .process(HttpReply.error(401, "missing or wrong Authorization token"))
                .when(new TrustedHeaders.BadKey())
                    .process(new TrustedHeaders.RefuseKey())
                .otherwise()
                    .to("direct:ingest-accept")
            .end();

        from("direct:ingest-accept")
            .routeId("http-ingest-accept")
            .routeConfigurationId("http-errors")
            .process(appliedKeys)
            .choice()
                .when(header(IngestSteps.APPLIED).isNotNull())
                    .process(new IngestSteps.Accepted(true))
                .otherwise()
                    .process(new IngestSteps.Parse())
                    .choice()
                        .when(header(IngestSteps.INVALID).isGreaterThan(0))
                            .process(metrics.new CountRejectedHttp())
                            .process(new IngestSteps.Invalid())
                        .when(header(IngestSteps.EVENTS).isEqualTo(0))
                            .process(new IngestSteps.Accepted(false))
                        .otherwise()
                            .process(new IngestSteps.SpoolLine())
                            .to("direct:spool")
                            .process(metrics.new CountAccepted())
                            .process(new IngestSteps.Accepted(false))
                    .end()
            .end();
    }
}
