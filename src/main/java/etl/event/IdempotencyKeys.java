package etl.event;

import java.util.List;
import java.util.OptionalInt;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Looks up whether a request with an Idempotency-Key was already applied. Only a hint for the answer to a repeat: the
 * processor decides, in its transaction, by inserting the key (ON CONFLICT DO NOTHING). When the database cannot be
 * reached, the request is simply spooled again and the processor drops it as a duplicate later.
 */
public final class IdempotencyKeys implements org.apache.camel.Processor {

    private static final Logger LOG = LoggerFactory.getLogger(IdempotencyKeys.class);
    public static final int MAX_KEY_LENGTH = 200;

    /** After a failed lookup, lookups are skipped for this long, so that requests do not each wait for the pool. */
    private static final long SKIP_AFTER_FAILURE_MILLIS = 2000;

    private final JdbcTemplate jdbc;
    private volatile long skipUntil;

    public IdempotencyKeys(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Route step: when the request's Idempotency-Key was applied before, header {@code etlAppliedEvents} says how many
     * events that request had (the answer to a repeat).
     */
    @Override
    public void process(org.apache.camel.Exchange exchange) {
        OptionalInt applied = appliedEvents(exchange.getMessage().getHeader("Idempotency-Key", String.class));
        if (applied.isPresent()) {
            exchange.getMessage().setHeader("etlAppliedEvents", applied.getAsInt());
        } else {
            exchange.getMessage().removeHeader("etlAppliedEvents");
        }
    }

    /** The number of events the applied request carried, or empty when the key is unknown or cannot be checked. */
    public OptionalInt appliedEvents(String key) {
        if (key == null || System.currentTimeMillis() < skipUntil) {
            return OptionalInt.empty();
        }
        try {
            List<Integer> rows = jdbc.queryForList(
                    "SELECT events FROM idempotency_keys WHERE idempotency_key = ?", Integer.class, key);
            return rows.isEmpty() ? OptionalInt.empty() : OptionalInt.of(rows.get(0));
        } catch (DataAccessException e) {
            skipUntil = System.currentTimeMillis() + SKIP_AFTER_FAILURE_MILLIS;
            LOG.warn("Cannot check Idempotency-Key (database unavailable?), spooling the request: {}", e.getMessage());
            return OptionalInt.empty();
        }
    }
}
