package etl.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.StateRepository;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

/**
 * The groundwork of Kafka mode (issue 13), checked against a real broker: the embedded single-node KRaft broker
 * starts from the Maven jars, camel-kafka produces with acks=all and an idempotent producer (a list body: one record
 * each), and a batching consumer seeks each assigned partition to the offset an offsetRepository gives (as the
 * processor will keep offsets in PostgreSQL); records survive a restart of the broker on its data.
 */
class EmbeddedKafkaTest {

    /** Offsets as the processor will keep them (next offset to read); camel-kafka asks for "topic/partition". */
    static final class Offsets implements StateRepository<String, String> {
        final Map<String, String> next = new ConcurrentHashMap<>();
        final Set<String> asked = ConcurrentHashMap.newKeySet();

        @Override
        public void setState(String key, String value) {
            // the processor's transaction stores offsets; camel-kafka's own writes are ignored
        }

        @Override
        public String getState(String key) {
            asked.add(key);
            String n = next.get(key);
            return n == null ? null : Long.toString(Long.parseLong(n) - 1); // camel-kafka seeks to state + 1
        }

        @Override
        public void start() {
        }

        @Override
        public void stop() {
        }
    }

    @Test
    void aBrokerFromTheJarsTakesAndGivesBackRecordsAcrossARestart() throws Exception {
        Path dir = Path.of("target", "kafka-" + System.currentTimeMillis());
        int port = 19092 + (int) (System.nanoTime() % 500) * 2;
        List<String> received = new CopyOnWriteArrayList<>();
        Offsets offsets = new Offsets();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir, port)) {
            Properties admin = new Properties();
            admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap());
            try (Admin a = Admin.create(admin)) {
                a.createTopics(List.of(new NewTopic("events", 1, (short) 1))).all().get();
            }
            offsets.next.put("events/0", "5"); // partition 0: the first 5 records were applied before
            CamelContext camel = new DefaultCamelContext();
            camel.getRegistry().bind("offsets", offsets);
            String broker = "brokers=" + kafka.bootstrap();
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:produce").to("kafka:events?" + broker + "&requestRequiredAcks=all"
                            + "&enableIdempotence=true&maxBlockMs=5000&deliveryTimeoutMs=5000&requestTimeoutMs=4000");
                    from("kafka:events?" + broker + "&groupId=etl&batching=true&breakOnFirstError=true"
                            + "&autoOffsetReset=earliest&offsetRepository=#offsets&pollTimeoutMs=200&maxPollRecords=500")
                        .process(e -> {
                            List<?> batch = e.getMessage().getBody(List.class);
                            for (Object o : batch) {
                                Exchange x = (Exchange) o;
                                received.add(x.getMessage().getHeader(KafkaConstants.PARTITION) + "/"
                                        + x.getMessage().getHeader(KafkaConstants.OFFSET) + "/"
                                        + x.getMessage().getBody(String.class));
                            }
                        });
                }
            });
            camel.start();
            try {
                List<String> values = new ArrayList<>();
                for (int i = 0; i < 300; i++) {
                    values.add("{\"n\":" + i + "}");
                }
                // one exchange, one record per element (one partition: the elements carry no key of their own)
                camel.createFluentProducerTemplate().to("direct:produce").withBody(values).send();
                long end = System.currentTimeMillis() + 20_000;
                while (received.size() < 295 && System.currentTimeMillis() < end) {
                    Thread.sleep(50);
                }
                assertEquals(295, received.size(), "every record from the stored offset on: " + received.subList(0,
                        Math.min(5, received.size())));
                assertTrue(received.get(0).startsWith("0/5/"), received.get(0));
                assertTrue(offsets.asked.contains("events/0"), "camel-kafka asked the repository: " + offsets.asked);
            } finally {
                camel.stop();
            }
        }
        // the broker again, on its data: the records are there
        try (EmbeddedKafka again = EmbeddedKafka.start(dir, port)) {
            Properties admin = new Properties();
            admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, again.bootstrap());
            try (Admin a = Admin.create(admin)) {
                var end = a.listOffsets(Map.of(new org.apache.kafka.common.TopicPartition("events", 0),
                        org.apache.kafka.clients.admin.OffsetSpec.latest())).all().get();
                assertEquals(300, end.values().iterator().next().offset());
            }
        }
    }
}
