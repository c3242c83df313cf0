package etl.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * KafkaLog against a real broker: concurrent requests committed in groups (one transaction each), and a request that
 * is only partly acknowledged (the broker refuses one of its records, over the topic's size limit, and takes the
 * others) fails whole: its records are in the log, yet a read_committed reader, as the processors are, sees none of
 * them, and the log goes on taking the next requests.
 */
class KafkaLogTest {

    private static final String TOPIC = "log-test";

    @Test
    void aRequestIsCommittedWholeOrNotAtAll() throws Exception {
        Path dir = Path.of("target", "kafka-log-" + System.currentTimeMillis());
        int port = 19600 + (int) (System.nanoTime() % 200) * 2;
        try (EmbeddedKafka broker = EmbeddedKafka.start(dir, port)) {
            KafkaMode mode = new KafkaMode(broker.bootstrap(), TOPIC, 3, "g", 5000);
            Properties admin = new Properties();
            admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
            try (Admin a = Admin.create(admin)) {
                // records over 4 KB refused by the broker itself: the others of their request are written meanwhile
                a.createTopics(List.of(new NewTopic(TOPIC, 3, (short) 1).configs(Map.of("max.message.bytes",
                        "4096")))).all().get();
            }
            KafkaLog log = new KafkaLog(mode, "log-test-" + port, 2, 1 << 20, 1000);
            log.start();
            try {
                // 40 requests at once, 5 records each: every one committed
                ExecutorService callers = Executors.newFixedThreadPool(8);
                List<Future<Integer>> answers = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    int r = i;
                    answers.add(callers.submit(() -> log.submit(request("ok" + r, 5, 10))));
                }
                int groups = 0;
                for (Future<Integer> a : answers) {
                    groups += a.get() > 5 ? 1 : 0; // a group's record count: more than one request's when shared
                }
                callers.shutdown();
                assertTrue(groups > 0, "concurrent requests were committed together");

                // one request whose records on partitions 0 and 1 are acknowledged while the broker refuses its record
                // on partition 2 (over the topic's limit): without the transaction, the first two would be read
                List<ProducerRecord<String, String>> torn = new ArrayList<>();
                torn.add(new ProducerRecord<>(TOPIC, 0, "torn-a", "torn:0"));
                torn.add(new ProducerRecord<>(TOPIC, 1, "torn-b", "torn:1"));
                torn.add(new ProducerRecord<>(TOPIC, 2, "torn-c", "torn:2:" + "x".repeat(8000)));
                UncheckedIOException refused = assertThrows(UncheckedIOException.class, () -> log.submit(torn));
                assertTrue(refused.getMessage() != null, "the failure says why");

                // the log goes on
                assertEquals(2, log.submit(request("after", 2, 10)));
            } finally {
                log.stop();
            }
            assertEquals(2, read(broker.bootstrap(), "read_uncommitted").stream().filter(v -> v.startsWith("torn"))
                    .count(), "the aborted request's records on partitions 0 and 1 were written (and are aborted)");
            List<String> committed = read(broker.bootstrap(), "read_committed");
            assertEquals(40 * 5 + 2, committed.size(), "every committed record, nothing else: " + committed.size());
            assertTrue(committed.stream().noneMatch(v -> v.startsWith("torn")), "a record of the aborted request");
            assertTrue(committed.stream().filter(v -> v.startsWith("after")).count() == 2);
        }
    }

    /** A request's records: {@code n} users' events, the value naming the request. */
    private static List<ProducerRecord<String, String>> request(String name, int n, int valueSize) {
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            records.add(new ProducerRecord<>(TOPIC, name + "-u" + i, name + ":" + i + ":" + "v".repeat(valueSize)));
        }
        return records;
    }

    private static List<String> read(String bootstrap, String isolation) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(),
                new StringDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                parts.add(new TopicPartition(TOPIC, i));
            }
            c.assign(parts);
            c.seekToBeginning(parts);
            var end = c.endOffsets(parts);
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (System.nanoTime() < deadline && parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
            }
        }
        return values;
    }
}
