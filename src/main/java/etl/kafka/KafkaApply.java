package etl.kafka;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.component.kafka.KafkaConstants;

import etl.event.Event;
import etl.event.EventValidator;
import etl.jobs.Sql;
import etl.processor.ApplyTotals;
import etl.processor.Failures;
import etl.processor.OutboxFiles;
import etl.metrics.EtlMetrics;

/**
 * Route {@code kafka-processor}'s step: a batch of records (camel-kafka's batching consumer: a list of exchanges) is
 * applied in one PostgreSQL transaction that also moves each partition's next offset (kafka_offsets, locked
 * {@code FOR UPDATE} in partition order, so two consumers of one partition during a rebalance apply one after the
 * other). Records below the stored offset are dropped (a batch can repeat what was applied: every assignment seeks
 * again). Offsets between records are not contiguous: the server writes in transactions, each leaves a marker in every
 * partition it wrote to, and an aborted one's records are not delivered (read_committed); a batch that fails is read
 * again from the stored offsets (breakOnFirstError), never skipped. Event keys are claimed with {@code INSERT … ON CONFLICT DO NOTHING RETURNING}:
 * only the claimed count. The sums go in one UPSERT in user order, as in the default mode.
 */
public final class KafkaApply implements Processor {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(KafkaApply.class);

    private final DataSource dataSource;
    private final String topic;
    private final EtlMetrics metrics;
    private final OutboxFiles outbox;
    private final ApplyTotals applyTotals;
    private final String initSql = Sql.text("kafka-offsets-init.sql");
    private final String lockSql = Sql.text("kafka-offsets-lock.sql");
    private final String moveSql = Sql.text("kafka-offsets-move.sql");
    private final String claimSql = Sql.text("kafka-claim-keys.sql");
    private final String requestKeySql = Sql.text("kafka-request-key.sql");

    public KafkaApply(DataSource dataSource, String topic, EtlMetrics metrics, OutboxFiles outbox,
            ApplyTotals applyTotals) {
        this.dataSource = dataSource;
        this.applyTotals = applyTotals;
        this.topic = topic;
        this.metrics = metrics;
        this.outbox = outbox;
    }

    private record Record(int partition, long offset, String value) {
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        List<?> batch = exchange.getMessage().getBody(List.class);
        TreeMap<Integer, List<Record>> byPartition = new TreeMap<>();
        for (Object o : batch) {
            var m = ((Exchange) o).getMessage();
            Record r = new Record(m.getHeader(KafkaConstants.PARTITION, Integer.class),
                    m.getHeader(KafkaConstants.OFFSET, Long.class), m.getBody(String.class));
            byPartition.computeIfAbsent(r.partition(), p -> new ArrayList<>()).add(r);
        }
        try {
            run(byPartition, batch.size(), false);
        } catch (Exception e) {
            if (!Failures.refusedForGood(e)) {
                throw e;
            }
            // the database refuses some user's total for good (e.g. beyond NUMERIC(20,2)): the batch again, one user
            // at a time in a savepoint, the refused user's records of this batch set aside, the others applied
            LOG.warn("Kafka batch of {} records refused ({}); applying it one user at a time", batch.size(),
                    Failures.reason(e));
            run(byPartition, batch.size(), true);
        }
    }

    private void run(TreeMap<Integer, List<Record>> byPartition, int size, boolean isolate) throws Exception {
        long started = System.nanoTime();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Result result = apply(c, byPartition, isolate);
                keepSetAside(result.setAside);
                c.commit();
                metrics.applied(result.applied, result.duplicates, List.of());
                if (!result.setAside.isEmpty()) {
                    metrics.setAside(result.setAside.size());
                }
                LOG.debug("Kafka batch of {} records: applied {} events to {} users, {} duplicates, in {} ms",
                        size, result.applied, result.users, result.duplicates,
                        (System.nanoTime() - started) / 1_000_000);
            } catch (Exception e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    /** A record the database refused: kept in outbox/.rejected/ (with the default mode's), never applied. */
    private record SetAside(int partition, long offset, String value, String reason) {
    }

    /** {@code outbox/.rejected/kafka-<topic>-<partition>-<first offset>.rejected.jsonl}, forced to disk. */
    private void keepSetAside(List<SetAside> setAside) throws java.io.IOException {
        TreeMap<Integer, List<SetAside>> byPartition = new TreeMap<>();
        for (SetAside a : setAside) {
            byPartition.computeIfAbsent(a.partition(), p -> new ArrayList<>()).add(a);
        }
        for (var e : byPartition.entrySet()) {
            List<OutboxFiles.Rejected> lines = new ArrayList<>();
            for (SetAside a : e.getValue()) {
                lines.add(new OutboxFiles.Rejected(a.offset(), a.reason(), a.value()));
                LOG.error("Kafka {}/{} offset {}: event set aside in .rejected/, {}", topic, a.partition(), a.offset(),
                        a.reason());
            }
            outbox.quarantine("kafka-" + topic + "-" + e.getKey() + "-" + e.getValue().get(0).offset(), lines);
        }
    }

    private record Result(long applied, long duplicates, int users, List<SetAside> setAside) {
    }

    private Result apply(Connection c, TreeMap<Integer, List<Record>> byPartition, boolean isolate)
            throws Exception {
        Map<Integer, Long> next = lockOffsets(c, byPartition.keySet());
        List<Record> fresh = new ArrayList<>();
        for (var e : byPartition.entrySet()) {
            List<Record> records = new ArrayList<>(e.getValue());
            records.sort((a, b) -> Long.compare(a.offset(), b.offset()));
            long expect = next.get(e.getKey());
            for (Record r : records) {
                if (expect >= 0 && r.offset() < expect) {
                    continue; // applied before
                }
                fresh.add(r);
                expect = r.offset() + 1;
            }
            next.put(e.getKey(), expect);
        }
        // the fresh records by user, in offset order within a partition
        TreeMap<String, List<Record>> byUser = new TreeMap<>();
        Map<Record, JsonNode> values = new HashMap<>();
        for (Record r : fresh) {
            JsonNode v = EventValidator.MAPPER.readTree(r.value());
            values.put(r, v);
            byUser.computeIfAbsent(v.get("userId").asText(), k -> new ArrayList<>()).add(r);
        }
        long applied = 0;
        long duplicates = 0;
        List<SetAside> setAside = new ArrayList<>();
        if (!isolate) {
            Applied a = applyUsers(c, byUser.values(), values);
            applied = a.applied;
            duplicates = a.duplicates;
        } else {
            for (List<Record> records : byUser.values()) {
                java.sql.Savepoint sp = c.setSavepoint();
                try {
                    Applied a = applyUsers(c, List.of(records), values);
                    applied += a.applied;
                    duplicates += a.duplicates;
                    c.releaseSavepoint(sp);
                } catch (SQLException e) {
                    if (!Failures.refusedForGood(e)) {
                        throw e;
                    }
                    c.rollback(sp);
                    for (Record r : records) {
                        setAside.add(new SetAside(r.partition(), r.offset(), r.value(),
                                "refused by the database: " + Failures.reason(e)));
                    }
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement(moveSql)) {
            for (var e : next.entrySet()) {
                ps.setLong(1, e.getValue());
                ps.setString(2, topic);
                ps.setInt(3, e.getKey());
                ps.addBatch();
            }
            ps.executeBatch();
        }
        return new Result(applied, duplicates, byUser.size(), setAside);
    }

    private record Applied(long applied, long duplicates) {
    }

    /** Claims the records' keys, writes the first events' request keys, and UPSERTs the users' sums. */
    private Applied applyUsers(Connection c, java.util.Collection<List<Record>> users, Map<Record, JsonNode> values)
            throws SQLException {
        List<String> keys = new ArrayList<>();
        for (List<Record> records : users) {
            for (Record r : records) {
                JsonNode v = values.get(r);
                if (v.hasNonNull("key")) {
                    keys.add(v.get("key").asText());
                }
            }
        }
        Set<String> claimed = claim(c, keys);
        Map<String, BigDecimal> sums = new HashMap<>();
        long applied = 0;
        long duplicates = 0;
        for (List<Record> records : users) {
            for (Record r : records) {
                JsonNode v = values.get(r);
                // a claimed key is taken by its first record: a re-send in the same batch is a duplicate too
                if (v.hasNonNull("key") && !claimed.remove(v.get("key").asText())) {
                    duplicates++;
                    continue;
                }
                if (v.hasNonNull("requestKey")) {
                    requestKey(c, v.get("requestKey").asText(), v.get("requestEvents").asInt());
                }
                BigDecimal value = v.get("value").decimalValue();
                sums.merge(v.get("userId").asText(), Event.SUBTRACT.equals(v.get("name").asText()) ? value.negate()
                        : value, BigDecimal::add);
                applied++;
            }
        }
        upsert(c, sums);
        return new Applied(applied, duplicates);
    }

    /** The stored next offset of each partition (-1: never read), the rows locked in partition order. */
    private Map<Integer, Long> lockOffsets(Connection c, Set<Integer> partitions) throws SQLException {
        try (PreparedStatement ins = c.prepareStatement(initSql)) {
            for (int p : partitions) {
                ins.setString(1, topic);
                ins.setInt(2, p);
                ins.addBatch();
            }
            ins.executeBatch();
        }
        Map<Integer, Long> next = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(lockSql)) {
            ps.setString(1, topic);
            ps.setArray(2, c.createArrayOf("integer", partitions.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    next.put(rs.getInt(1), rs.getLong(2));
                }
            }
        }
        return next;
    }

    private Set<String> claim(Connection c, List<String> keys) throws SQLException {
        Set<String> claimed = new HashSet<>();
        if (keys.isEmpty()) {
            return claimed;
        }
        try (PreparedStatement ps = c.prepareStatement(claimSql)) {
            ps.setArray(1, c.createArrayOf("varchar", keys.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    claimed.add(rs.getString(1));
                }
            }
        }
        return claimed;
    }

    /** The request's own key, for the answer to a repeat ({@code {"accepted": N, "duplicate": true}}). */
    private void requestKey(Connection c, String key, int events) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(requestKeySql)) {
            ps.setString(1, key);
            ps.setInt(2, events);
            ps.executeUpdate();
        }
    }

    private void upsert(Connection c, Map<String, BigDecimal> sums) throws SQLException {
        if (sums.isEmpty()) {
            return;
        }
        String[] users = sums.keySet().toArray(new String[0]);
        java.util.Arrays.sort(users);
        BigDecimal[] amounts = new BigDecimal[users.length];
        for (int i = 0; i < users.length; i++) {
            amounts[i] = sums.get(users[i]);
        }
        applyTotals.applyBatch(c, users, amounts);
    }
}
