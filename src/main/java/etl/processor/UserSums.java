package etl.processor;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import etl.event.CompactEvents;
import etl.event.Event;
import etl.metrics.EtlMetrics;
import etl.spool.SpoolRecord;

/**
 * The body that Camel's aggregation ({@link SumByUser}) builds in the processor's routes: the revenue summed per user
 * (exact: cents in a long, a BigDecimal past its range; {@link UserTable}) over the requests of a file, then over the
 * files of a batch, with the counts and quarantine entries
 * that go with them. The MERGE of {@code outbox-batch} ({@link ApplyTotals}) takes its users and their amounts and
 * sorts them itself.
 */
public final class UserSums {

    private static final Logger LOG = LoggerFactory.getLogger(UserSums.class);

    /**
     * Each user's running sum, keyed by the id's bytes, in cents (one look-up per event, no object made): the batch's
     * own, shared by every UserSums of the batch ({@link #UserSums(UserTable)}), or this one's.
     */
    private final UserTable byUser;
    /** Whether {@link #byUser} is a batch's, shared: a request is then summed when it is added. */
    private final boolean shared;
    /**
     * Requests to apply not summed yet, in sums of their own: they wait here until they are read or added to others
     * (into a batch's table: a table per file, grown and merged, cost the processor a third more time).
     */
    private final List<SpoolRecord> pending = new ArrayList<>();
    /** Users of requests applied one at a time (isolated batches): their sums are written already. */
    private final Set<String> aloneUsers = new HashSet<>();
    /** Files read and applied by these sums. */
    private final List<String> files = new ArrayList<>();
    private final Map<String, List<OutboxFiles.Rejected>> rejected = new LinkedHashMap<>();
    private final List<String> setAsideLog = new ArrayList<>();
    private long requests;
    private long events;
    private long duplicateRequests;
    private long duplicateEvents;
    private long skippedFiles;
    private long corruptLines;
    /** The batch's two columns once asked for ({@link #users()}, {@link #amounts()}); null while sums may change. */
    private UserTable.Columns columns;

    /** Sums of their own (a request applied alone, a repeat, a test). */
    public UserSums() {
        this(new UserTable(), false);
    }

    /**
     * Sums of a batch whose per-user sums are {@code batch} ({@link BatchPlan#table}): the file's and the batch's sums
     * that Camel's aggregation builds all add into it, so nothing is merged or summed twice.
     */
    UserSums(UserTable batch) {
        this(batch, true);
    }

    private UserSums(UserTable byUser, boolean shared) {
        this.byUser = byUser;
        this.shared = shared;
    }

    /**
     * A request to apply: counted now, its events summed now into a batch's table, or when these sums are read or
     * added to others.
     */
    public UserSums add(SpoolRecord record) {
        requests++;
        events += record.events().size();
        if (shared) {
            sum(record);
        } else {
            pending.add(record);
        }
        columns = null;
        return this;
    }

    private void sum(SpoolRecord record) {
        if (record.events() instanceof CompactEvents fast) {
            byte[] line = fast.line();
            for (int i = 0; i < fast.size(); i++) {
                byUser.add(line, fast.userFrom(i), fast.userTo(i), fast.signedCents(i));
            }
            return;
        }
        for (Event e : record.events()) {
            byUser.add(e.userId(), e.signedValue());
        }
    }

    private void sumPending() {
        pending.forEach(this::sum);
        pending.clear();
    }

    /** Adds {@code other} (a file's requests, or the counts of a request not summed) to these sums. */
    public UserSums add(UserSums other) {
        other.pending.forEach(this::sum);
        if (other.byUser != byUser) {
            byUser.addAll(other.byUser);
        }
        aloneUsers.addAll(other.aloneUsers);
        files.addAll(other.files);
        other.rejected.forEach((f, lines) -> rejected.computeIfAbsent(f, x -> new ArrayList<>()).addAll(lines));
        setAsideLog.addAll(other.setAsideLog);
        requests += other.requests;
        events += other.events;
        duplicateRequests += other.duplicateRequests;
        duplicateEvents += other.duplicateEvents;
        skippedFiles += other.skippedFiles;
        corruptLines += other.corruptLines;
        columns = null;
        return this;
    }

    /** A request applied on its own (isolated batch): counted, its sums already written. */
    public static UserSums alone(SpoolRecord record) {
        UserSums s = new UserSums();
        s.requests = 1;
        s.events = record.events().size();
        record.events().forEach(e -> s.aloneUsers.add(e.userId()));
        return s;
    }

    /** A request whose Idempotency-Key was applied before: counted, not summed. */
    public static UserSums repeated(SpoolRecord record) {
        UserSums s = new UserSums();
        s.duplicateRequests = 1;
        s.duplicateEvents = record.events().size();
        return s;
    }

    /** A line that cannot be read (torn by a crash before its answer): kept in .rejected/, not applied. */
    public static UserSums unreadable(String file, long line, String raw, String reason) {
        LOG.error("Outbox {}: line {} is unreadable ({}); a write torn by a crash before its answer, kept in"
                + " .rejected/", file, line, reason);
        UserSums s = new UserSums();
        s.corruptLines = 1;
        s.reject(file, line, raw, "unreadable: " + reason);
        return s;
    }

    /** A request the database refuses for good: kept whole in .rejected/ with the reason, its events not applied. */
    public static UserSums setAside(String file, long line, SpoolRecord record, String raw, String reason) {
        UserSums s = new UserSums();
        s.reject(file, line, raw, "refused by the database: " + reason);
        Set<String> users = new TreeSet<>();
        record.events().forEach(e -> users.add(e.userId()));
        s.setAsideLog.add(String.format("Outbox %s line %d: request%s of %d events set aside in"
                + " .rejected/%s.rejected.jsonl, refused by the database: %s; users %s", file, line,
                record.key() == null ? "" : " with Idempotency-Key " + record.key(), record.events().size(), file,
                reason, users.size() > 10 ? users.stream().limit(10).toList() + " and " + (users.size() - 10) + " more"
                : users));
        return s;
    }

    /** A file whose name was applied before (found again after a crash, or taken by another process). */
    public static UserSums alreadyApplied(String file) {
        LOG.info("Outbox {}: already applied, not applied again", file);
        UserSums s = new UserSums();
        s.skippedFiles = 1;
        return s;
    }

    private void reject(String file, long line, String raw, String reason) {
        rejected.computeIfAbsent(file, f -> new ArrayList<>()).add(new OutboxFiles.Rejected(line, reason, raw));
    }

    /** The file was read whole (its requests are in these sums): it counts as applied. */
    public UserSums fileApplied(String file) {
        files.add(file);
        return this;
    }

    /**
     * The users, in no order (the SQL sorts them), each id's UTF-8 bytes ({@code byte[]}): parameter {@code users} of
     * {@link ApplyTotals}.
     */
    public Object[] users() {
        return columns().users();
    }

    /**
     * Each user's change, in the order of {@link #users()}: parameter {@code amounts} of {@link ApplyTotals}, the sums in
     * cents ({@code long[]}), or, when one has left the long's range, all of them as exact decimal text
     * ({@code String[]}).
     */
    public Object amounts() {
        return columns().amounts();
    }

    /** The users and their amounts as text, sorted by user (for tests and diagnostics: a String per user). */
    Map<String, String> totals() {
        UserTable.Columns c = columns();
        Map<String, String> m = new java.util.TreeMap<>();
        for (int i = 0; i < c.users().length; i++) {
            m.put(c.user(i), c.amount(i));
        }
        return m;
    }

    private UserTable.Columns columns() {
        if (columns == null) {
            sumPending();
            columns = byUser.columns();
        }
        return columns;
    }

    public int userCount() {
        sumPending();
        return byUser.size();
    }

    /**
     * About how many bytes of the heap these sums will hold at their largest, when the batch makes its two columns
     * ({@link #users()}, {@link #amounts()}) beside the table: {@value #BYTES_PER_USER} bytes a user and three times
     * the ids' UTF-8 bytes. Measured (2026-12-04, OpenJDK 17, a million users, heap after a full GC): ids of 10 bytes
     * 184 bytes a user in all (this says 230), of 30 bytes 216 (290), of 100 bytes 360 (500), of 255 bytes 664 (965).
     * Those figures were measured when the columns were a String per id and per amount; since the seventeenth session
     * they are each id's bytes and a long, so this is now an upper estimate, kept so that a batch's size
     * stays what it was.
     */
    public long heldBytes() {
        sumPending();
        return byUser.size() * BYTES_PER_USER + 3 * byUser.idBytes();
    }

    static final long BYTES_PER_USER = 200;

    /** Lines kept in .rejected/, per file: written (and forced to disk) before the commit. */
    public Map<String, List<OutboxFiles.Rejected>> rejected() {
        return rejected;
    }

    /** True when a file was applied (the batch's summary is logged, another batch may follow at once). */
    public boolean appliedAnything() {
        return !files.isEmpty();
    }

    /** The log line of a batch that started at {@code startedNanos}. */
    public String summary(long startedNanos, boolean isolated) {
        double ms = (System.nanoTime() - startedNanos) / 1e6;
        sumPending();
        String what = files.size() == 1 ? files.get(0) : files.size() + " files";
        return String.format("Outbox %s: applied %d events of %d requests to %d users in %.0f ms%s%s", what, events,
                requests, byUser.size() + aloneUsers.size(), ms,
                duplicateRequests > 0 ? ", skipped " + duplicateRequests + " repeated requests (" + duplicateEvents
                        + " events) whose Idempotency-Key was already applied" : "",
                corruptLines > 0 ? ", skipped " + corruptLines + " unreadable lines" : "")
                + (skippedFiles > 0 ? ", " + skippedFiles + " files found already applied" : "")
                + (setAsideLog.isEmpty() ? "" : ", set aside " + setAsideLog.size() + " requests the database refuses")
                + (isolated ? " (one request at a time)" : "");
    }

    /** After the commit: the figures go to the metrics, the set-aside requests to the log. */
    public void committed(EtlMetrics metrics) {
        metrics.applied(events, duplicateEvents, files);
        metrics.setAside(setAsideLog.size());
        setAsideLog.forEach(LOG::error);
    }
}
