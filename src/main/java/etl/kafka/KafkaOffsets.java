package etl.kafka;

import java.util.List;

import javax.sql.DataSource;

import org.apache.camel.spi.StateRepository;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Where a consumer starts on a partition it is assigned: camel-kafka asks {@code getState("<topic>/<partition>")} and
 * seeks to the answer + 1, so the answer is the stored next offset - 1 (kafka_offsets, written by {@link KafkaApply}
 * in the transaction that applied the records before it). camel-kafka's own writes are ignored: the offsets move only
 * with the totals.
 */
public final class KafkaOffsets implements StateRepository<String, String> {

    private final JdbcTemplate jdbc;

    public KafkaOffsets(DataSource dataSource) {
        this.jdbc = new JdbcTemplate(dataSource);
    }

    @Override
    public String getState(String key) {
        int slash = key.lastIndexOf('/');
        List<Long> next = jdbc.queryForList(
                "SELECT next_offset FROM kafka_offsets WHERE topic = ? AND kafka_partition = ?", Long.class,
                key.substring(0, slash), Integer.parseInt(key.substring(slash + 1)));
        return next.isEmpty() || next.get(0) < 0 ? null : Long.toString(next.get(0) - 1);
    }

    @Override
    public void setState(String key, String value) {
        // the offsets are stored with the totals, in KafkaApply's transaction
    }

    @Override
    public void start() {
    }

    @Override
    public void stop() {
    }
}
