package etl.jobs;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

import etl.event.Event;
import etl.event.EventValidator;
import etl.http.Json;
import etl.io.Lines;
import etl.processor.OutboxFiles;
import etl.spool.SpoolRecord;

/**
 * Route {@code audit-runner}'s step: re-reads the raw event store (the applied outbox files kept in
 * {@code outbox/.done/}), sums each user's events independently of the processor, and compares the sums with
 * {@code users_revenue}. Which files were applied, and the totals, come from one REPEATABLE READ snapshot (the
 * processor's marks, written in the transaction that applied each file), so a batch committed meanwhile never shows as
 * a mismatch. The rules are the processor's: the lines it set aside ({@code outbox/.rejected/<file>.rejected.jsonl})
 * do not count; a request with an Idempotency-Key counts once, where it was applied first (files in the order they
 * were applied). Files applied before the oldest mark (marks are forgotten after ETL_KEYS_RETENTION_DAYS) are read
 * first, in name order.
 * <p>
 * The archive is partial when an applied file is missing (removed by the archive's retention, or applied with
 * ETL_OUTBOX_ON_APPLIED=delete): the result says how many and since when it is complete. With {@code rebuild}, a
 * complete archive and mismatches, the totals are replaced by the archive's sums in the same transaction, under a lock
 * that holds the processor back meanwhile; the totals before are kept in a table named in the result.
 */
public final class AuditRun implements Processor {

    static final int MAX_LISTED = 100;
    private static final long PROGRESS_EVERY_NANOS = 500_000_000L;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AuditRun.class);

    private final DataSource dataSource;
    private final Path outbox;
    private final boolean archiveOn;
    /** Null in the default mode; in Kafka mode why the archive is not the raw store. */
    private final String noArchive;
    private final JobProgress progress;
    private final String filesSql = Sql.text("audit-files.sql");
    private final String totalsSql = Sql.text("audit-totals.sql");

    public AuditRun(DataSource dataSource, Path outbox, boolean archiveOn, String noArchive, JobProgress progress) {
        this.noArchive = noArchive;
        this.dataSource = dataSource;
        this.outbox = outbox;
        this.archiveOn = archiveOn;
        this.progress = progress;
    }

    private record Applied(String file, Instant at) {
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        @SuppressWarnings("unchecked")
        Map<String, Object> job = exchange.getMessage().getBody(Map.class);
        String id = (String) job.get("id");
        boolean rebuild = Boolean.TRUE.equals(JobView.json(job.get("request")).get("rebuild"));
        Map<String, Object> result;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try {
                if (rebuild) {
                    try (Statement s = c.createStatement()) {
                        s.execute("SET LOCAL lock_timeout = '30s'");
                        s.execute("LOCK TABLE users_revenue IN EXCLUSIVE MODE");
                    }
                }
                result = audit(c, id, rebuild);
                c.commit();
            } catch (Exception e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
        var m = exchange.getMessage();
        m.setHeader(JobSteps.ID, id);
        m.setHeader(JobSteps.DONE, ((Number) result.get("files")).longValue());
        m.setHeader(JobSteps.RESULT, Json.write(result));
    }

    private Map<String, Object> audit(Connection c, String id, boolean rebuild) throws SQLException, IOException {
        List<Applied> marks = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(filesSql)) {
            while (rs.next()) {
                marks.add(new Applied(rs.getString(1), rs.getTimestamp(2).toInstant()));
            }
        }
        Map<String, BigDecimal> actual = new HashMap<>();
        try (Statement s = c.createStatement()) {
            s.setFetchSize(10_000);
            try (ResultSet rs = s.executeQuery(totalsSql)) {
                while (rs.next()) {
                    actual.put(rs.getString(1), rs.getBigDecimal(2));
                }
            }
        }
        List<Path> files = new ArrayList<>(older(marks));
        Instant completeSince = null;
        long missing = 0;
        for (Applied a : marks) {
            Path f = located(a.file());
            if (f == null) {
                missing++;
                completeSince = a.at();
            } else {
                files.add(f);
            }
        }
        long pruned = prunedUntil();
        if (pruned > 0 && (completeSince == null || Instant.ofEpochMilli(pruned).isAfter(completeSince))) {
            completeSince = Instant.ofEpochMilli(pruned);
        }
        Map<String, BigDecimal> expected = new HashMap<>();
        Set<String> keys = new HashSet<>();
        long events = 0;
        long requests = 0;
        long done = 0;
        long reported = System.nanoTime();
        progress.update(id, 0, files.size(), null);
        for (Path f : files) {
            Set<Long> setAside = setAside(f.getFileName().toString());
            long line = 0;
            try (InputStream in = Files.newInputStream(f)) {
                Iterator<byte[]> lines = Lines.each(in);
                while (lines.hasNext()) {
                    byte[] l = lines.next();
                    line++;
                    if (setAside.contains(line) || EventValidator.blank(l, 0, l.length)) {
                        continue;
                    }
                    SpoolRecord r;
                    try {
                        r = SpoolRecord.read(l);
                    } catch (IOException torn) {
                        continue; // a torn line is never applied (and is in .rejected/ once the processor saw it)
                    }
                    if (r.key() != null && !keys.add(r.key())) {
                        continue;
                    }
                    requests++;
                    for (Event e : r.events()) {
                        expected.merge(e.userId(), Event.SUBTRACT.equals(e.name()) ? e.value().negate() : e.value(),
                                BigDecimal::add);
                        events++;
                    }
                }
            } catch (NoSuchFileException gone) {
                missing++; // removed by the archive's retention while the audit ran
            }
            done++;
            if (System.nanoTime() - reported > PROGRESS_EVERY_NANOS) {
                progress.update(id, done, files.size(), null);
                reported = System.nanoTime();
            }
        }
        Set<String> users = new TreeSet<>(expected.keySet());
        users.addAll(actual.keySet());
        List<Map<String, Object>> listed = new ArrayList<>();
        long mismatches = 0;
        for (String u : users) {
            BigDecimal want = expected.get(u);
            BigDecimal have = actual.get(u);
            if (want == null || have == null || want.compareTo(have) != 0) {
                mismatches++;
                if (listed.size() < MAX_LISTED) {
                    Map<String, Object> mm = new LinkedHashMap<>();
                    mm.put("userId", u);
                    mm.put("expected", want == null ? null : Json.plain(want));
                    mm.put("actual", have == null ? null : Json.plain(have));
                    listed.add(mm);
                }
            }
        }
        boolean complete = noArchive == null && archiveOn && missing == 0 && pruned == 0;
        Map<String, Object> archive = new LinkedHashMap<>();
        archive.put("complete", complete);
        archive.put("missingFiles", missing);
        archive.put("completeSince", complete ? null : completeSince == null ? null : completeSince.toString());
        archive.put("reason", complete ? null : noArchive != null ? noArchive : !archiveOn ? "the archive is off (ETL_OUTBOX_ON_APPLIED=delete):"
                + " applied files are deleted" : missing + " applied files are no longer in outbox/.done/ (removed by"
                + " the archive's retention, or applied while the archive was off)");
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("files", files.size());
        result.put("requests", requests);
        result.put("events", events);
        result.put("users", users.size());
        result.put("mismatches", mismatches);
        result.put("mismatched", listed);
        result.put("archive", archive);
        String backup = null;
        if (rebuild && complete && mismatches > 0) {
            backup = rebuild(c, id, expected);
            LOG.warn("Audit {}: {} totals differed from the archive and were rebuilt from it; the totals before are in"
                    + " table {}", id, mismatches, backup);
        }
        result.put("rebuilt", backup != null);
        result.put("backupTable", backup);
        if (rebuild && backup == null) {
            result.put("notRebuilt", mismatches == 0 ? "nothing differs" : "the archive is partial: the sums of a"
                    + " partial archive are not the totals");
        }
        LOG.info("Audit {}: {} files, {} events, {} users checked, {} mismatches, archive {}", id, files.size(),
                events, users.size(), mismatches, complete ? "complete" : "partial");
        return result;
    }

    /** The totals become the archive's sums; the ones before go to a table of their own (in the same transaction). */
    private static String rebuild(Connection c, String id, Map<String, BigDecimal> expected) throws SQLException {
        String backup = "users_revenue_before_audit_" + id.substring(0, 8);
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE " + backup + " AS SELECT * FROM users_revenue");
            s.execute("DELETE FROM users_revenue");
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO users_revenue (user_id, revenue) VALUES (?, ?)")) {
            int n = 0;
            for (var e : expected.entrySet()) {
                ps.setString(1, e.getKey());
                ps.setBigDecimal(2, e.getValue());
                ps.addBatch();
                if (++n % 5_000 == 0) {
                    ps.executeBatch();
                }
            }
            ps.executeBatch();
        }
        return backup;
    }

    /** An applied file: in the archive, or still in the outbox (applied, not moved yet); null when it is gone. */
    private Path located(String name) {
        Path archived = outbox.resolve(".done").resolve(name);
        if (Files.isRegularFile(archived)) {
            return archived;
        }
        Path waiting = outbox.resolve(name);
        return Files.isRegularFile(waiting) ? waiting : null;
    }

    /** Archived files older than every mark (their marks were forgotten): applied before all the marked ones. */
    private List<Path> older(List<Applied> marks) throws IOException {
        Path done = outbox.resolve(".done");
        if (!Files.isDirectory(done)) {
            return List.of();
        }
        Set<String> marked = new HashSet<>();
        for (Applied a : marks) {
            marked.add(a.file());
        }
        long before = marks.isEmpty() ? Long.MAX_VALUE : marks.get(0).at().toEpochMilli();
        TreeSet<Path> older = new TreeSet<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(done, "*.jsonl")) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                long spooled = OutboxFiles.spooledAt(name);
                if (!marked.contains(name) && spooled > 0 && spooled < before && !marks.isEmpty()) {
                    older.add(p);
                }
            }
        }
        return new ArrayList<>(older);
    }

    /** The line numbers the processor set aside from a file. */
    private Set<Long> setAside(String file) throws IOException {
        Path rejected = outbox.resolve(".rejected").resolve(file + ".rejected.jsonl");
        if (!Files.isRegularFile(rejected)) {
            return Set.of();
        }
        Set<Long> lines = new HashSet<>();
        for (String l : Files.readAllLines(rejected)) {
            if (!l.isBlank()) {
                JsonNode n = EventValidator.MAPPER.readTree(l);
                if (n.has("line")) {
                    lines.add(n.get("line").asLong());
                }
            }
        }
        return lines;
    }

    /** When the archive's retention last removed files (PruneArchive writes it): the newest removed, or 0. */
    private long prunedUntil() throws IOException {
        Path marker = outbox.resolve(".done").resolve(PRUNED_UNTIL);
        return Files.isRegularFile(marker) ? Long.parseLong(Files.readString(marker).trim()) : 0;
    }

    /** The file in outbox/.done/ that says up to which spool time the archive's retention removed files. */
    public static final String PRUNED_UNTIL = ".pruned-until";
}
