package etl.processor;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import etl.event.Event;
import etl.spool.SpoolRecord;

/**
 * What one outbox file changes: the revenue summed per user over the requests that are applied (the ones whose
 * Idempotency-Key was not applied before), so that the file is applied with one UPSERT per user, in user order
 * (the same lock order in every process, so concurrent processors cannot deadlock).
 */
public final class OutboxBatch {

    private static final Logger LOG = LoggerFactory.getLogger(OutboxBatch.class);

    private final String file;
    private final Map<String, BigDecimal> sums = new TreeMap<>();
    private long requests;
    private long events;
    private long duplicateRequests;
    private long duplicateEvents;
    private long corruptLines;

    public OutboxBatch(String file) {
        this.file = file;
    }

    /** Reads one spool line; a line that cannot be read (torn by a crash before it was acknowledged) is skipped. */
    public SpoolRecord read(String line) {
        if (line == null || line.isBlank()) {
            return null;
        }
        try {
            return SpoolRecord.parse(line);
        } catch (Exception e) {
            corruptLines++;
            LOG.error("Outbox {}: skipping an unreadable line ({}); it was never acknowledged", file, e.getMessage());
            return null;
        }
    }

    public void apply(SpoolRecord record) {
        requests++;
        for (Event e : record.events()) {
            sums.merge(e.userId(), e.signedValue(), BigDecimal::add);
            events++;
        }
    }

    public void duplicate(SpoolRecord record) {
        duplicateRequests++;
        duplicateEvents += record.events().size();
    }

    /** The rows for the batch UPSERT: {@code userId} and {@code amount}, sorted by user. */
    public List<Map<String, Object>> rows() {
        List<Map<String, Object>> rows = new ArrayList<>(sums.size());
        sums.forEach((user, amount) -> rows.add(Map.of("userId", user, "amount", amount)));
        return rows;
    }

    public int users() {
        return sums.size();
    }

    public String summary() {
        return "applied " + events + " events of " + requests + " requests to " + sums.size() + " users"
                + (duplicateRequests > 0 ? ", skipped " + duplicateRequests + " repeated requests (" + duplicateEvents
                        + " events) whose Idempotency-Key was already applied" : "")
                + (corruptLines > 0 ? ", skipped " + corruptLines + " unreadable lines" : "");
    }
}
