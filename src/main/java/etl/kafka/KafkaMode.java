package etl.kafka;

import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * Kafka mode's settings: the broker list (resolved: "embedded" is the broker this process started), the topic and its
 * partitions, the consumer group, how long a request waits for its records' acknowledgement. {@link #enabled} is
 * false in the default mode (the outbox folder).
 */
public record KafkaMode(String bootstrap, String topic, int partitions, String group, long ackTimeoutMillis) {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(KafkaMode.class);

    public boolean enabled() {
        return bootstrap != null && !bootstrap.isBlank();
    }

    /** Creates the topic when it is absent (a few seconds at most; an unreachable broker stops the start-up). */
    public void ensureTopic() throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        try (Admin admin = Admin.create(p)) {
            Set<String> names = admin.listTopics().names().get(10, TimeUnit.SECONDS);
            if (!names.contains(topic)) {
                admin.createTopics(List.of(new NewTopic(topic, partitions, (short) -1))).all().get(10,
                        TimeUnit.SECONDS);
                LOG.info("Kafka topic {} created with {} partitions", topic, partitions);
            }
        }
    }

    /**
     * How long a transaction of the server's may stay open (Kafka's transaction.timeout.ms): the broker aborts one that
     * outlives it (a server killed mid-group), and until then read_committed consumers wait at that transaction's
     * first record. Three acknowledgement timeouts: a group's records, its commit, and one retry of the commit.
     */
    public long transactionTimeoutMillis() {
        return 3 * ackTimeoutMillis;
    }

    /**
     * The options of camel-kafka's consumer: batches, offsets from PostgreSQL (bean kafkaOffsets), a failed batch
     * read again (breakOnFirstError: the default skips it), a partition's backlog read from its start, short waits,
     * and only committed transactions (read_committed: a request the server aborted is never read).
     */
    public String consumerOptions() {
        return "brokers=" + bootstrap + "&groupId=" + group + "&batching=true&breakOnFirstError=true"
                + "&autoOffsetReset=earliest&autoCommitEnable=false&offsetRepository=#kafkaOffsets&isolationLevel=read_committed"
                + "&maxPollRecords=5000&pollTimeoutMs=200&sessionTimeoutMs=10000&heartbeatIntervalMs=3000";
    }
}
