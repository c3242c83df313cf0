package routes.server;

import org.apache.camel.BeanInject;
import org.apache.camel.builder.RouteBuilder;

import etl.kafka.EventRecords;
import etl.kafka.KafkaMode;

/**
 * Kafka mode's {@code direct:spool} (in place of SpoolRoute's outbox): an accepted request's events become records,
 * one each keyed by user id, and step kafkaLog produces them with the requests that arrive meanwhile in one Kafka
 * transaction (acks=all, idempotent); the route returns only once that transaction is committed. Not committed within
 * ETL_KAFKA_ACK_TIMEOUT_MS (or refused): the transaction is aborted, none of its records is ever read, and the
 * exception goes back to the HTTP route, whose route configuration answers 503.
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
            .process(new EventRecords(kafka.topic()))
            .process("kafkaLog");
    }
}
