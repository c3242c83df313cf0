package etl.jobs;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.sql.DataSource;

import com.fasterxml.jackson.core.JsonGenerator;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

import etl.event.EventValidator;
import etl.http.Json;
import etl.io.Folders;

/**
 * Route {@code export-runner}'s step: writes the claimed export (body: its row from job-claim.sql) to the exports
 * folder. One REPEATABLE READ, read-only transaction gives the count and the rows (a cursor of {@link #FETCH} rows at a
 * time: memory does not grow with the table), so the file is one consistent snapshot. The rows go to a temporary
 * {@code .<id>.<ext>.part}, through a SHA-256 digest; then fsync, the final progress check, an atomic rename to
 * {@code <id>.<ext>} and an fsync of the folder. Only a complete file ever has the final name, and the job is marked
 * completed only after the rename (job-complete.sql, next in the route): a crash at any moment leaves either no file
 * or a complete one, and the job is run again from the start once its lease runs out.
 * <p>
 * Not PostgreSQL's {@code COPY ... TO STDOUT}: COPY takes no bound parameters (the prefix and amounts would be spliced
 * into the SQL), and its text format escapes backslashes, which JSON Lines would carry twice. A cursor reads a million
 * rows in about a second here.
 */
public final class ExportWriter implements Processor {

    static final int FETCH = 5_000;
    private static final long PROGRESS_EVERY_NANOS = 500_000_000L;
    private static final long LOG_EVERY_NANOS = 5_000_000_000L;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ExportWriter.class);

    private final DataSource dataSource;
    private final JobSettings settings;
    private final JobProgress progress;
    private final String countSql = Sql.text("export-count.sql");
    private final String rowsSql = Sql.text("export-rows.sql");

    public ExportWriter(DataSource dataSource, JobSettings settings) {
        this.dataSource = dataSource;
        this.settings = settings;
        this.progress = new JobProgress(dataSource, settings);
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        @SuppressWarnings("unchecked")
        Map<String, Object> job = exchange.getMessage().getBody(Map.class);
        String id = (String) job.get("id");
        ExportRequest request = ExportRequest.fromMap(JobView.json(job.get("request")));
        Path dir = settings.exportsDir();
        Files.createDirectories(dir);
        Path part = dir.resolve(ExportFiles.partName(id, request));
        Path done = dir.resolve(ExportFiles.fileName(id, request));
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        long rows;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            try {
                rows = write(c, id, request, part, sha);
                c.commit();
            } catch (Exception e) {
                c.rollback();
                Files.deleteIfExists(part);
                throw e;
            } finally {
                c.setReadOnly(false);
                c.setAutoCommit(true);
            }
        }
        progress.update(id, rows, rows, null); // still ours? (else JobLost: the file is not put in place)
        Files.move(part, done, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Folders.forceFolder(dir);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("rows", rows);
        result.put("bytes", Files.size(done));
        result.put("sha256", HexFormat.of().formatHex(sha.digest()));
        result.put("file", done.getFileName().toString());
        var m = exchange.getMessage();
        m.setHeader(JobSteps.ID, id);
        m.setHeader(JobSteps.DONE, rows);
        m.setHeader(JobSteps.RESULT, Json.write(result));
    }

    private long write(Connection c, String id, ExportRequest request, Path part, MessageDigest sha)
            throws SQLException, IOException {
        long total;
        try (PreparedStatement count = filtered(c, countSql, request); ResultSet rs = count.executeQuery()) {
            rs.next();
            total = rs.getLong(1);
        }
        progress.update(id, 0, total, null);
        long rows = 0;
        long reported = System.nanoTime();
        long logged = reported;
        try (FileChannel channel = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            OutputStream out = new BufferedOutputStream(new DigestOutputStream(Channels.newOutputStream(channel), sha),
                    1 << 16);
            Writer text = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            Rows sink = "csv".equals(request.format()) ? new CsvRows(text) : new JsonRows(text);
            try (PreparedStatement select = filtered(c, rowsSql, request)) {
                select.setFetchSize(FETCH);
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        sink.row(rs.getString(1), Json.plain(rs.getBigDecimal(2)));
                        rows++;
                        if (rows % FETCH == 0 && System.nanoTime() - reported > PROGRESS_EVERY_NANOS) {
                            progress.update(id, rows, total, null);
                            reported = System.nanoTime();
                            if (reported - logged > LOG_EVERY_NANOS) {
                                LOG.info("Export {}: {} of {} rows written", id, rows, total);
                                logged = reported;
                            }
                        }
                    }
                }
            }
            sink.finish(); // flushed through the digest to the channel, which stays open for the fsync
            channel.force(true);
        }
        return rows;
    }

    private static PreparedStatement filtered(Connection c, String sql, ExportRequest r) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        ps.setString(1, r.userIdPrefix());
        ps.setString(2, r.userIdPrefix());
        ps.setBigDecimal(3, r.minRevenue());
        ps.setBigDecimal(4, r.minRevenue());
        ps.setBigDecimal(5, r.maxRevenue());
        ps.setBigDecimal(6, r.maxRevenue());
        return ps;
    }

    private interface Rows {
        void row(String userId, BigDecimal revenue) throws IOException;

        /** Writes out what is buffered, without closing the file. */
        void finish() throws IOException;
    }

    /** RFC 4180: a header line, fields quoted when they hold a comma, a quote or a line break, CRLF. */
    private static final class CsvRows implements Rows {
        private final CSVPrinter printer;

        CsvRows(Writer out) throws IOException {
            printer = new CSVPrinter(out, CSVFormat.RFC4180.builder().setHeader("userId", "revenue").get());
        }

        @Override
        public void row(String userId, BigDecimal revenue) throws IOException {
            printer.printRecord(userId, revenue.toPlainString());
        }

        @Override
        public void finish() throws IOException {
            printer.flush();
        }
    }

    /** One {@code {"userId", "revenue"}} object a line, revenue an exact JSON number. */
    private static final class JsonRows implements Rows {
        private final JsonGenerator json;

        JsonRows(Writer out) throws IOException {
            this.json = EventValidator.MAPPER.getFactory().createGenerator(out)
                    .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
                    .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
                    .setRootValueSeparator(null); // each line ends in its own newline, no space before the next
        }

        @Override
        public void row(String userId, BigDecimal revenue) throws IOException {
            json.writeStartObject();
            json.writeStringField("userId", userId);
            json.writeNumberField("revenue", revenue);
            json.writeEndObject();
            json.writeRaw('\n'); // in the generator's buffer, not flushed per row
        }

        @Override
        public void finish() throws IOException {
            json.flush();
        }
    }
}
