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
    /** The exchange property that holds the batch of the transaction in progress. */
    public static final String PROPERTY = "etlBatch";
    /** The exchange property that holds the spool record being applied. */
    public static final String RECORD = "etlRecord";

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

    private long lineInFile;
    private boolean isolated;
    private final java.util.Set<String> isolatedUsers = new java.util.HashSet<>();
    /** Per outbox file, the lines kept in .rejected/ (torn lines, requests set aside), written before the commit. */
    private final Map<String, List<OutboxFiles.Rejected>> rejected = new java.util.LinkedHashMap<>();
    private final List<String> setAsideLog = new ArrayList<>();

    public OutboxBatch(int maxFiles) {
        this.maxFiles = maxFiles;
    }

    public int maxFiles() {
        return maxFiles;
    }

    /** The outbox files of this batch, oldest first, as listed once; remembers whether the listing was full. */
    public List<String> take(List<String> names) {
        listed = names;
        return names;
    }

    /** True when the exchange's batch is applied one request at a time. */
    public static final class Isolated implements org.apache.camel.Predicate {
        @Override
        public boolean matches(org.apache.camel.Exchange exchange) {
            OutboxBatch b = exchange.getProperty(PROPERTY, OutboxBatch.class);
            return b != null && b.isolated;
        }
    }

    /** Applies this batch one request at a time, each in a savepoint (a refused request is among its files). */
    public void isolate(boolean on) {
        isolated = on;
    }

    public boolean isolated() {
        return isolated;
    }

    /** The first file of the listing, or null. */
    public String firstListed() {
        return listed.isEmpty() ? null : listed.get(0);
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
            LOG.error("Outbox {}: line {} is unreadable ({}); a write torn by a crash before its answer, kept in"
                    + " .rejected/", file, lineInFile, e.getMessage());
            reject(line, "unreadable: " + e.getMessage());
            return null;
        }
    }

    private void reject(String line, String reason) {
        rejected.computeIfAbsent(file, f -> new ArrayList<>()).add(new OutboxFiles.Rejected(lineInFile, reason, line));
    }

    /** A request the database refuses for good: kept whole in .rejected/ with the reason, its events not applied. */
    public void setAside(SpoolRecord record, String line, String reason) {
        reject(line, "refused by the database: " + reason);
        java.util.Set<String> users = new java.util.TreeSet<>();
        record.events().forEach(e -> users.add(e.userId()));
        setAsideLog.add(String.format("Outbox %s line %d: request%s of %d events set aside in .rejected/%s.rejected.jsonl,"
                + " refused by the database: %s; users %s", file, lineInFile,
                record.key() == null ? "" : " with Idempotency-Key " + record.key(), record.events().size(), file,
                reason, users.size() > 10 ? users.stream().limit(10).toList() + " and " + (users.size() - 10) + " more"
                : users));
    }

    /** Lines kept in .rejected/ by this batch, per file: written (and forced to disk) before the commit. */
    public Map<String, List<OutboxFiles.Rejected>> rejected() {
        return rejected;
    }

    /** A request applied on its own (isolated batch): counted, its sums already written. */
    public void appliedAlone(SpoolRecord record) {
        requests++;
        events += record.events().size();
        record.events().forEach(e -> isolatedUsers.add(e.userId()));
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
                requests, sums.size() + isolatedUsers.size(), ms,
                duplicateRequests > 0 ? ", skipped " + duplicateRequests + " repeated requests (" + duplicateEvents
                        + " events) whose Idempotency-Key was already applied" : "",
                corruptLines > 0 ? ", skipped " + corruptLines + " unreadable lines" : "")
                + (skippedFiles > 0 ? ", " + skippedFiles + " files found already applied" : "")
                + (setAsideLog.isEmpty() ? "" : ", set aside " + setAsideLog.size() + " requests the database refuses")
                + (isolated ? " (one request at a time)" : "");
    }

    /** After the commit: the batch's figures go to the metrics. */
    public void committed(etl.metrics.EtlMetrics metrics) {
        metrics.applied(events, duplicateEvents, files);
        metrics.setAside(setAsideLog.size());
        setAsideLog.forEach(LOG::error);
    }

    public boolean appliedAnything() {
        return !files.isEmpty();
    }
}
