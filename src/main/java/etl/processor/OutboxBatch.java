package etl.processor;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import etl.event.Event;
import etl.spool.SpoolRecord;

/**
 * What one transaction of the processor changes: the revenue summed per user over the outbox files of the batch and
 * the requests in them that are applied (the ones whose Idempotency-Key was not applied before). The batch is written
 * with one UPSERT, in user order (the same lock order in every process, so concurrent processors cannot deadlock).
 */
public final class OutboxBatch {

    private static final Logger LOG = LoggerFactory.getLogger(OutboxBatch.class);

    private final int maxFiles;
    private final long started = System.nanoTime();
    private final Map<String, BigDecimal> sums = new HashMap<>();
    private final List<String> files = new ArrayList<>();
    private String file = "?";
    private List<String> listed = List.of();
    private long requests;
    private long events;
    private long duplicateRequests;
    private long duplicateEvents;
    private long skippedFiles;
    private long corruptLines;
    private String[] users;
    private String[] amounts;

    private final OutboxFiles outbox;
    private long lineInFile;

    public OutboxBatch(int maxFiles) {
        this(maxFiles, null);
    }

    /** {@code outbox}: where unreadable lines are quarantined (none in the unit tests). */
    public OutboxBatch(int maxFiles, OutboxFiles outbox) {
        this.maxFiles = maxFiles;
        this.outbox = outbox;
    }

    public int maxFiles() {
        return maxFiles;
    }

    /** The outbox files of this batch, oldest first, as listed once; remembers whether the listing was full. */
    public List<String> take(List<String> names) {
        listed = names;
        return names;
    }

    /** True when the batch took as many files as it may: more are probably waiting. */
    public boolean full() {
        return listed.size() >= maxFiles;
    }

    /** The files listed for this batch (applied now or found applied before): they leave the outbox after commit. */
    public List<String> listed() {
        return listed;
    }

    public void startFile(String name) {
        file = name;
        files.add(name);
        lineInFile = 0;
    }

    /** A file whose name was already applied (found again after a crash, or taken by another process). */
    public void alreadyApplied(String name) {
        skippedFiles++;
        LOG.info("Outbox {}: already applied, not applied again", name);
    }

    /** Reads one spool line; a line that cannot be read (torn by a crash before it was acknowledged) is skipped. */
    public SpoolRecord read(String line) {
        lineInFile++;
        if (line == null || line.isBlank()) {
            return null;
        }
        try {
            return SpoolRecord.parse(line);
        } catch (Exception e) {
            corruptLines++;
            LOG.error("Outbox {}: line {} is unreadable ({}); it was never acknowledged, it is kept in .rejected/",
                    file, lineInFile, e.getMessage());
            if (outbox != null) {
                outbox.quarantine(file, lineInFile, e.getMessage(), line);
            }
            return null;
        }
    }

    public void apply(SpoolRecord record) {
        requests++;
        for (Event e : record.events()) {
            sums.merge(e.userId(), e.signedValue(), BigDecimal::add);
            events++;
        }
        users = null;
    }

    public void duplicate(SpoolRecord record) {
        duplicateRequests++;
        duplicateEvents += record.events().size();
    }

    /** The users of the batch, sorted: the first parameter of the UPSERT. */
    public String[] users() {
        sort();
        return users;
    }

    /** Each user's change, as exact decimal text, in the order of {@link #users()}. */
    public String[] amounts() {
        sort();
        return amounts;
    }

    private void sort() {
        if (users == null) {
            users = sums.keySet().toArray(new String[0]);
            Arrays.sort(users);
            amounts = new String[users.length];
            for (int i = 0; i < users.length; i++) {
                amounts[i] = sums.get(users[i]).toPlainString();
            }
        }
    }

    public int userCount() {
        return sums.size();
    }

    public String summary() {
        double ms = (System.nanoTime() - started) / 1e6;
        String what = files.size() == 1 ? files.get(0) : files.size() + " files";
        return String.format("Outbox %s: applied %d events of %d requests to %d users in %.0f ms%s%s", what, events,
                requests, sums.size(), ms,
                duplicateRequests > 0 ? ", skipped " + duplicateRequests + " repeated requests (" + duplicateEvents
                        + " events) whose Idempotency-Key was already applied" : "",
                corruptLines > 0 ? ", skipped " + corruptLines + " unreadable lines" : "")
                + (skippedFiles > 0 ? ", " + skippedFiles + " files found already applied" : "");
    }

    /** After the commit: the batch's figures go to the metrics. */
    public void committed(etl.metrics.EtlMetrics metrics) {
        metrics.applied(events, duplicateEvents, files);
    }

    public boolean appliedAnything() {
        return !files.isEmpty();
    }
}
