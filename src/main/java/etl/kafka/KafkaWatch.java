package etl.kafka;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * What an operator watches in Kafka mode, from one admin client: {@code etl_kafka_lag{partition}} (the partition's end
 * offset minus the next offset the processors stored with the totals: Kafka's own group tools show no lag, since no
 * group offset is committed) and the readiness check {@code etl:kafka} (down while the broker does not answer within
 * two seconds). Both are kept two seconds, so a scrape or a probe costs at most one round trip.
 * <p>
 * The end offset is the last stable one (committed transactions only), and it counts the marker each transaction
 * leaves in a partition: a partition whose last records are applied still lies one marker (or an aborted
 * transaction) behind it. So a partition that seems behind is read from its stored offset by a read_committed
 * consumer of no group: when nothing comes back and that consumer's position reached the end, what lies between is
 * markers and aborted records only, and the lag is 0.
 */
public final class KafkaWatch extends AbstractHealthCheck implements AutoCloseable {

    private static final long CACHE_NANOS = 2_000_000_000L;

    private final KafkaMode kafka;
    private final JdbcTemplate jdbc;
    private final Admin admin;
    private final KafkaConsumer<byte[], byte[]> probe;
    private Map<Integer, Long> lag = Map.of();
    private long lagAt;

    public KafkaWatch(KafkaMode kafka, DataSource dataSource) {
        super("etl", "kafka");
        this.kafka = kafka;
        this.jdbc = new JdbcTemplate(dataSource);
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "2000");
        this.admin = Admin.create(p);
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1");
        // a look past markers, not a read of a backlog: a partition far behind stays at its raw lag
        c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, "65536");
        c.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, "1048576");
        c.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
        c.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "2000");
        this.probe = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** One gauge a partition of the topic. */
    public void register(MeterRegistry registry) {
        for (int partition = 0; partition < partitions(); partition++) {
            int p = partition;
            Gauge.builder("etl.kafka.lag", this, w -> w.lag(p)).tag("partition", Integer.toString(p))
                    .description("records of the partition not applied yet (end offset - stored next offset)")
                    .register(registry);
        }
    }

    private int partitions() {
        try {
            return admin.describeTopics(List.of(kafka.topic())).allTopicNames().get(5, TimeUnit.SECONDS)
                    .get(kafka.topic()).partitions().size();
        } catch (Exception e) {
            return kafka.partitions();
        }
    }

    private synchronized double lag(int partition) {
        long now = System.nanoTime();
        if (now - lagAt > CACHE_NANOS) {
            lagAt = now;
            try {
                Map<TopicPartition, OffsetSpec> ask = new HashMap<>();
                int n = partitions();
                for (int p = 0; p < n; p++) {
                    ask.put(new TopicPartition(kafka.topic(), p), OffsetSpec.latest());
                }
                Map<Integer, Long> end = new HashMap<>();
                admin.listOffsets(ask, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                        .get(2, TimeUnit.SECONDS)
                        .forEach((tp, info) -> end.put(tp.partition(), info.offset()));
                Map<Integer, Long> next = new HashMap<>();
                jdbc.query("SELECT kafka_partition, next_offset FROM kafka_offsets WHERE topic = ?",
                        rs -> {
                            next.put(rs.getInt(1), rs.getLong(2));
                        }, kafka.topic());
                Map<Integer, Long> fresh = new HashMap<>();
                end.forEach((p, e) -> fresh.put(p, Math.max(0, e - Math.max(0, next.getOrDefault(p, 0L)))));
                onlyMarkersBehind(fresh, next, end);
                lag = fresh;
            } catch (Exception e) {
                lag = Map.of(); // unknown while the broker or the database does not answer
            }
        }
        Long l = lag.get(partition);
        return l == null ? Double.NaN : l;
    }

    /** Sets to 0 the lag of each partition behind which only transaction markers and aborted records lie. */
    private void onlyMarkersBehind(Map<Integer, Long> lag, Map<Integer, Long> next, Map<Integer, Long> end) {
        List<TopicPartition> behind = new java.util.ArrayList<>();
        lag.forEach((p, l) -> {
            if (l > 0) {
                behind.add(new TopicPartition(kafka.topic(), p));
            }
        });
        if (behind.isEmpty()) {
            return;
        }
        probe.assign(behind);
        for (TopicPartition tp : behind) {
            probe.seek(tp, Math.max(0, next.getOrDefault(tp.partition(), 0L)));
        }
        ConsumerRecords<byte[], byte[]> records = probe.poll(java.time.Duration.ofMillis(300));
        for (TopicPartition tp : behind) {
            if (records.records(tp).isEmpty()
                    && probe.position(tp, java.time.Duration.ofMillis(500)) >= end.get(tp.partition())) {
                lag.put(tp.partition(), 0L);
            }
        }
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        try {
            admin.describeCluster().nodes().get(2, TimeUnit.SECONDS);
            builder.up();
        } catch (Exception e) {
            builder.message("the Kafka brokers " + kafka.bootstrap() + " do not answer: " + e.getMessage()).down();
        }
    }

    @Override
    public synchronized void close() {
        probe.close(java.time.Duration.ofSeconds(2));
        admin.close(java.time.Duration.ofSeconds(2));
    }
}
