package routes.server;

import org.apache.camel.BeanInject;
import org.apache.camel.builder.RouteBuilder;

import etl.kafka.KafkaMode;

import etl.spool.SpoolWriter;

/**
 * Writes one accepted request (a spool line) into {@code outbox/}: under a unique name, forced to the device and
 * moved into place atomically, together with the requests that arrive meanwhile (group commit). Returns when the
 * line is on disk; the body becomes the name of the outbox file.
 */
public class SpoolRoute extends RouteBuilder {

    @BeanInject
    private KafkaMode kafka;

    @BeanInject
    private SpoolWriter spool;

    @Override
    public void configure() {
        if (kafka.enabled()) {
            return; // Kafka mode: the log is the topic (routes.server.KafkaSpoolRoute)
        }
        from("direct:spool")
            .routeId("outbox-spool")
            // a failure goes back to http-ingest-accept, whose route configuration answers 503
            .errorHandler(noErrorHandler())
            .process(spool)
            .log(org.apache.camel.LoggingLevel.DEBUG, "Spooled into ${body}");
    }
}
