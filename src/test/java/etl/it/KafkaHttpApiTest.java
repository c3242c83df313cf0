package etl.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import org.apache.camel.test.main.junit5.CamelMainTest;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The HTTP contract tests (every test of HttpApiTest) in Kafka mode, with the embedded broker: the API does not
 * change with the log behind it. "The 200 means durable" is checked in the topic: a consumer of its own reads every
 * partition from the beginning and finds the event.
 */
@CamelMainTest(useJmx = true, properties = {
        "camel.server.port=" + Http.PORT,
        "camel.management.port=" + Http.MANAGEMENT_PORT,
        "etl.server.url=" + Http.BASE,
        "etl.inbox.dir=" + SystemTestBase.INBOX,
        "etl.outbox.dir=" + SystemTestBase.OUTBOX,
        "etl.db.embedded-dir=target/it/pg",
        "etl.processor.poll-ms=100",
        "etl.inbox.poll-ms=100",
        "etl.inbox.chunk-lines=1000",
        "etl.client.retry-initial-ms=100",
        "etl.client.retry-max-ms=1000",
        "etl.keys.purge-delay-ms=500",
        "etl.keys.purge-period-ms=500",
        "etl.exports.dir=" + SystemTestBase.EXPORTS,
        "etl.imports.dir=" + SystemTestBase.IMPORTS,
        "etl.imports.max-bytes=5000000",
        "etl.jobs.poll-ms=100",
        "etl.exports.sweep-ms=300",
        "etl.kafka.bootstrap=embedded",
        "etl.kafka.embedded-dir=target/it/kafka",
        "etl.kafka.embedded-port=" + KafkaHttpApiTest.BROKER,
        "etl.kafka.partitions=3"
})
class KafkaHttpApiTest extends HttpApiTest {

    static final int BROKER = 19480;

    @Override
    protected boolean durablyKept(String text) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + BROKER);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor("revenue-events")) {
                partitions.add(new TopicPartition(info.topic(), info.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            var end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofSeconds(1))) {
                    if (r.value().contains(text)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
