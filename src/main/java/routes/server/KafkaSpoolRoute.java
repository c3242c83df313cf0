package routes.server;

import org.apache.camel.BeanInject;
import org.apache.camel.builder.RouteBuilder;

import etl.kafka.EventRecords;
import etl.kafka.KafkaMode;

/**
 * Kafka mode's {@code direct:spool} (in place of SpoolRoute's outbox): an accepted request's events are produced to
 * the topic, one record each keyed by user id, and the route returns only when the broker acknowledged every one of
 * them with acks=all (an idempotent producer: its own retries never duplicate). No acknowledgement within
 * ETL_KAFKA_ACK_TIMEOUT_MS: the exception goes back to the HTTP route, whose route configuration answers 503.
 */
public class KafkaSpoolRoute extends RouteBuilder {

    @BeanInject
    private KafkaMode kafka;

    @Override
    public void configure() {
        if (!kafka.enabled()) {
            return;
        }
        from("direct:spool")
            .routeId("kafka-produce")
            .errorHandler(noErrorHandler())
            .process(new EventRecords())
            .to("kafka:" + kafka.topic() + "?" + kafka.producerOptions());
    }
}
