package etl.kafka;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

import org.apache.camel.Exchange;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.serialization.StringSerializer;

import etl.spool.GroupCommit;

/**
 * Kafka mode's log writer, route {@code kafka-produce}'s step: the accepted requests that arrive together (group
 * commit, as the outbox's {@code SpoolWriter}) are produced in one Kafka transaction, and a request is answered 200 only
 * once that transaction is committed (every record acknowledged by the in-sync replicas, acks=all). The processors
 * read with {@code isolation.level=read_committed}: a request whose records were only partly acknowledged when the
 * broker stopped answering is aborted whole, its caller gets 503, and not one of its events is ever applied (without
 * the transaction, the acknowledged part was applied while the client was told to send it all again).
 * <p>
 * Why not camel-kafka's producer with {@code transacted=true}: its endpoint holds one producer, so concurrent exchanges
 * (every HTTP worker) would begin transactions on it at once, which Kafka refuses; and on any KafkaException it closes
 * that producer for good, so a broker outage of a few seconds would stop the server until it is restarted. Here one
 * thread (a lane) owns each producer, one transaction is open on it at a time, and a producer that hit a fatal error
 * is replaced.
 * <p>
 * The outcome of each group: sent and committed: 200. A record refused, or the broker silent past the delivery
 * timeout: aborted, 503, nothing kept. The commit asked but not answered (the broker went away in between): the
 * commit is asked again (Kafka allows it) while that group's callers wait, since neither answer would be known to be
 * true: committed (200), or fenced once the broker aborted the transaction (503, nothing kept). No answer within the
 * transaction timeout: 503 saying the outcome is unknown (re-send with the same Idempotency-Key: applied once either
 * way). Later requests meanwhile time out in the queue with 503, nothing kept.
 */
public final class KafkaLog extends GroupCommit<List<ProducerRecord<String, String>>, Integer> {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(KafkaLog.class);

    /** A commit asked and not answered within the transaction timeout (or at a stop): the group may be kept or not. */
    public static final class OutcomeUnknown extends IOException {
        public OutcomeUnknown(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final KafkaMode kafka;
    private final String transactionalId;
    /** A lane's producer (transactional id {@code <id>-<lane>}), touched by that lane's thread alone. */
    private final Producer<String, String>[] producers;

    /**
     * @param lanes transactions open at once, each on a producer of its own: a commit takes several round trips to
     *              the transaction coordinator, during which a single producer could not start the next group
     */
    @SuppressWarnings("unchecked")
    public KafkaLog(KafkaMode kafka, String transactionalId, int lanes, long maxGroupBytes, long lingerMicros) {
        super("kafka-log-writer", lanes, maxGroupBytes, lingerMicros, kafka.ackTimeoutMillis());
        this.kafka = kafka;
        this.transactionalId = transactionalId;
        this.producers = new Producer[lanes];
    }

    /** Route step {@code kafka-produce}: the body, a request's records, is committed with its group. */
    @Override
    @SuppressWarnings("unchecked")
    protected List<ProducerRecord<String, String>> item(Exchange exchange) {
        return exchange.getMessage().getBody(List.class);
    }

    @Override
    protected long bytes(List<ProducerRecord<String, String>> records) {
        long n = 0;
        for (ProducerRecord<String, String> r : records) {
            n += r.value().length() + r.key().length() + 16;
        }
        return n;
    }

    @Override
    protected Integer commit(int lane, List<List<ProducerRecord<String, String>>> group) throws Exception {
        Producer<String, String> p = producer(lane);
        int records = 0;
        try {
            p.beginTransaction();
            for (List<ProducerRecord<String, String>> request : group) {
                for (ProducerRecord<String, String> r : request) {
                    p.send(r); // a failed record fails the commit below
                    records++;
                }
            }
        } catch (KafkaException e) {
            abort(lane, p, e);
            throw e;
        }
        long giveUp = System.nanoTime() + kafka.transactionTimeoutMillis() * 1_000_000L;
        while (true) {
            try {
                p.commitTransaction();
                return records;
            } catch (TimeoutException e) {
                // the commit may have been taken: only the broker's answer tells (committed; or fenced, once the
                // transaction outlived its timeout and the broker aborted it). Asked again until the transaction
                // timeout; past it (or at a stop) the callers are told that the outcome is unknown
                if (!isRunAllowed() || System.nanoTime() - giveUp > 0) {
                    discard(lane, p);
                    throw new OutcomeUnknown("the Kafka commit of " + records + " records was not answered within "
                            + kafka.transactionTimeoutMillis() + " ms; whether they were kept is unknown", e);
                }
                LOG.warn("Kafka commit of {} records not answered yet ({}); asking again", records, e.getMessage());
            } catch (KafkaException e) {
                abort(lane, p, e);
                throw e;
            }
        }
    }

    /** Aborts the open transaction (a record was refused or not acknowledged in time: nothing of it is readable). */
    private void abort(int lane, Producer<String, String> p, KafkaException cause) {
        if (fatal(cause)) {
            discard(lane, p);
            return;
        }
        try {
            p.abortTransaction();
        } catch (KafkaException e) {
            // the broker does not answer: it aborts the transaction itself after transaction.timeout.ms, or the next
            // producer with this transactional id does at once
            discard(lane, p);
        }
    }

    private static boolean fatal(Throwable e) {
        return e instanceof ProducerFencedException || e instanceof OutOfOrderSequenceException
                || e instanceof AuthorizationException || e instanceof UnsupportedVersionException
                || e instanceof InvalidProducerEpochException;
    }

    private Producer<String, String> producer(int lane) {
        if (producers[lane] == null) {
            String id = transactionalId + "-" + lane;
            Producer<String, String> p = new KafkaProducer<>(properties(id), new StringSerializer(),
                    new StringSerializer());
            try {
                p.initTransactions(); // fences an earlier producer of this id and aborts its open transaction
            } catch (KafkaException e) {
                p.close(Duration.ZERO);
                throw e;
            }
            producers[lane] = p;
            LOG.info("Kafka transactional producer {} ready", id);
        }
        return producers[lane];
    }

    private void discard(int lane, Producer<String, String> p) {
        producers[lane] = null;
        try {
            p.close(Duration.ZERO);
        } catch (KafkaException e) {
            LOG.debug("closing the Kafka producer: {}", e.toString());
        }
    }

    private Properties properties(String id) {
        long t = kafka.ackTimeoutMillis();
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, id);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, Long.toString(kafka.transactionTimeoutMillis()));
        // the commit flushes every record of the group at once: batches fill rather than wait
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(t));
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(Math.max(1000, t - 1000)));
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(t + 5));
        return p;
    }

    @Override
    protected void afterLast(int lane) {
        if (producers[lane] != null) {
            discard(lane, producers[lane]);
        }
    }
}
