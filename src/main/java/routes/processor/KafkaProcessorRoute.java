package routes.processor;

import org.apache.camel.BeanInject;
import org.apache.camel.builder.RouteBuilder;

import etl.kafka.KafkaMode;

/**
 * Kafka mode's processor (in place of OutboxProcessorRoute): the processes form one consumer group on the topic; each
 * applies a batch of records in one PostgreSQL transaction with the partitions' next offsets (step kafkaApply), and
 * starts each partition it is assigned where those offsets say (bean kafkaOffsets). A batch that fails (the database
 * down, a gap in the offsets) is read again: breakOnFirstError, never skipped.
 */
public class KafkaProcessorRoute extends RouteBuilder {

    @BeanInject
    private KafkaMode kafka;

    @Override
    public void configure() {
        if (!kafka.enabled()) {
            return;
        }
        from("kafka:" + kafka.topic() + "?" + kafka.consumerOptions())
            .routeId("kafka-processor")
            .process("kafkaApply");
    }
}
