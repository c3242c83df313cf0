package etl.jobs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;

import io.vertx.core.http.HttpServerResponse;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.vertx.HttpMessage;

import etl.event.IdempotencyKeys;
import etl.http.HttpReply;
import etl.http.Json;
import etl.http.UploadDoor;
import etl.io.Folders;
import etl.spool.SpoolRecord;

/**
 * The steps of the import routes. An upload becomes {@code imports/<id>.jsonl} or {@code .csv} (forced to disk before
 * the 202); a run reads it ({@link ImportRun}, in header {@link #RUN}), spools each chunk of valid events as one
 * request with its chunk's Idempotency-Key (through route {@code outbox-spool}, the server's group commit), and ends
 * with the counts as the job's result; the invalid lines are in {@code imports/<id>.rejected.jsonl}.
 */
public final class ImportSteps {

    /** The running {@link ImportRun}, on the run's exchange and its chunks'. */
    public static final String RUN = "etlImportRun";
    /** Why an upload is not of its declared format (415). */
    public static final String WRONG_FORMAT = "etlWrongFormat";
    /** Set on a chunk whose key was applied before: it is not spooled again. */
    public static final String APPLIED = "etlAppliedEvents";
    private static final long PROGRESS_EVERY_NANOS = 500_000_000L;
    private static final long LOG_EVERY_NANOS = 5_000_000_000L;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ImportSteps.class);

    private final Path dir;
    private final int chunkLines;
    private final long chunkBytes;
    private final int maxLineBytes;
    private final JobProgress progress;
    private final IdempotencyKeys appliedKeys;

    public ImportSteps(Path dir, int chunkLines, long chunkBytes, int maxLineBytes, JobProgress progress,
            IdempotencyKeys appliedKeys) {
        this.dir = dir;
        this.chunkLines = chunkLines;
        this.chunkBytes = chunkBytes;
        this.maxLineBytes = maxLineBytes;
        this.progress = progress;
        this.appliedKeys = appliedKeys;
    }

    static Path upload(Path dir, String id, String format) {
        return dir.resolve(id + "." + format);
    }

    static Path rejected(Path dir, String id) {
        return dir.resolve(id + ".rejected.jsonl");
    }

    /**
     * {@code POST /imports}, after the door streamed the body to disk and {@link JobSteps.New} named the job: a body
     * that is plainly of the other format is refused (415: a CSV header sent as JSON Lines, a CSV without the three
     * columns); else the file is forced to disk, renamed to the job's name and the folder forced, and header
     * {@link JobSteps#REQUEST} describes it.
     */
    public final class Accept implements Processor {
        @Override
        public void process(Exchange e) throws IOException {
            var m = e.getMessage();
            UploadDoor.Upload up = UploadDoor.take(((HttpMessage) m).getRequest());
            if (up == null) {
                throw new IllegalStateException("no upload for this request (the import door is not installed)");
            }
            try {
                String wrong = wrongFormat(up);
                if (wrong != null) {
                    m.setHeader(WRONG_FORMAT, wrong);
                    return;
                }
                try (FileChannel ch = FileChannel.open(up.file(), StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
                String id = m.getHeader(JobSteps.ID, String.class);
                Files.move(up.file(), upload(dir, id, up.format()), StandardCopyOption.ATOMIC_MOVE);
                Folders.forceFolder(dir);
                Map<String, Object> request = new LinkedHashMap<>();
                request.put("format", up.format());
                request.put("bytes", up.bytes());
                request.put("chunkLines", chunkLines);
                request.put("chunkBytes", chunkBytes);
                m.setHeader(JobSteps.REQUEST, Json.write(request));
            } finally {
                Files.deleteIfExists(up.file());
            }
        }

        private static String wrongFormat(UploadDoor.Upload up) throws IOException {
            String first = firstLine(up.file());
            if (first == null) {
                return null; // empty: an import of nothing
            }
            boolean csvHeader = CsvEvents.headerProblem(first) == null;
            if ("jsonl".equals(up.format())) {
                return csvHeader ? "the body is CSV (its first line is a CSV header), not JSON Lines: send it as"
                        + " Content-Type: text/csv" : null;
            }
            if (csvHeader) {
                return null;
            }
            return first.trim().startsWith("{") ? "the body is JSON Lines, not CSV: send it as Content-Type:"
                    + " application/x-ndjson" : CsvEvents.headerProblem(first);
        }

        /** The first non-blank line of the file's first 64 KiB (BOM removed), or null. */
        private static String firstLine(Path file) throws IOException {
            byte[] head;
            try (InputStream in = Files.newInputStream(file)) {
                head = in.readNBytes(64 * 1024);
            }
            String text = new String(head, StandardCharsets.UTF_8);
            if (text.startsWith("\uFEFF")) {
                text = text.substring(1);
            }
            for (String line : text.split("\n", -1)) {
                if (!line.isBlank()) {
                    return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
                }
            }
            return null;
        }
    }

    /** 415 with the reason of {@link #WRONG_FORMAT}. */
    public static final class WrongFormat implements Processor {
        @Override
        public void process(Exchange e) {
            HttpReply.send(e, 415, Json.error(e.getMessage().getHeader(WRONG_FORMAT, String.class)));
        }
    }

    /** A repeated Idempotency-Key: the first job stands, and the file just uploaded is not kept. */
    public final class DropRepeat implements Processor {
        @Override
        public void process(Exchange e) throws IOException {
            Map<String, Object> request = JobView.json(e.getMessage().getHeader(JobSteps.REQUEST, String.class));
            Files.deleteIfExists(upload(dir, e.getMessage().getHeader(JobSteps.NEW_ID, String.class),
                    (String) request.get("format")));
        }
    }

    /** The claimed job (body: its row) becomes its run: the body is the run's chunks, header {@link #RUN} the run. */
    public final class Open implements Processor {
        @Override
        public void process(Exchange e) throws Exception {
            @SuppressWarnings("unchecked")
            Map<String, Object> job = e.getMessage().getBody(Map.class);
            String id = (String) job.get("id");
            Map<String, Object> request = JobView.json(job.get("request"));
            String format = (String) request.get("format");
            // the chunking the job was accepted with (its keys depend on it); a job recorded before chunks had a byte
            // bound keeps chunks of lines only
            int lines = ((Number) request.getOrDefault("chunkLines", chunkLines)).intValue();
            long bytes = ((Number) request.getOrDefault("chunkBytes", Long.MAX_VALUE)).longValue();
            ImportRun run = new ImportRun(id, upload(dir, id, format), format, rejected(dir, id), lines, bytes,
                    maxLineBytes);
            progress.update(id, 0, run.size(), run.result());
            e.getMessage().setHeader(RUN, run);
            e.getMessage().setBody(run);
        }
    }

    /**
     * A chunk (the body) becomes its spool line, unless its key was applied before (header {@link #APPLIED}) or it has
     * no valid event.
     */
    public final class PrepareChunk implements Processor {
        @Override
        public void process(Exchange e) {
            ImportRun.Chunk c = e.getMessage().getBody(ImportRun.Chunk.class);
            e.getMessage().setHeader("etlImportChunk", c);
            e.getMessage().setHeader("etlEvents", c.events().size());
            OptionalInt applied = c.events().isEmpty() ? OptionalInt.empty() : appliedKeys.appliedEvents(c.key());
            if (applied.isPresent()) {
                e.getMessage().setHeader(APPLIED, applied.getAsInt());
            } else {
                e.getMessage().removeHeader(APPLIED);
            }
            e.getMessage().setBody(SpoolRecord.line(c.key(), c.events()));
        }
    }

    /** A chunk is in the outbox (or was applied before): counted, and the job's progress and lease renewed. */
    public final class ChunkDone implements Processor {
        private long reported = System.nanoTime();
        private long logged = reported;

        @Override
        public void process(Exchange e) throws Exception {
            var m = e.getMessage();
            ImportRun run = m.getHeader(RUN, ImportRun.class);
            run.spooled(m.getHeader("etlImportChunk", ImportRun.Chunk.class), m.getHeader(APPLIED) != null);
            long now = System.nanoTime();
            if (now - reported > PROGRESS_EVERY_NANOS) {
                progress.update(m.getHeader(JobSteps.ID, String.class), run.bytesRead(), run.size(), run.result());
                reported = now;
                if (now - logged > LOG_EVERY_NANOS) {
                    LOG.info("Import {}: {} of {} bytes read, {} events accepted, {} lines rejected",
                            m.getHeader(JobSteps.ID), run.bytesRead(), run.size(), run.accepted(), run.rejected());
                    logged = now;
                }
            }
        }
    }

    /** Every chunk is in the outbox: the counts become the job's result (headers {@link JobSteps#DONE}, RESULT). */
    public static final class Finish implements Processor {
        @Override
        public void process(Exchange e) throws IOException {
            var m = e.getMessage();
            ImportRun run = m.getHeader(RUN, ImportRun.class);
            run.close();
            m.setHeader(JobSteps.DONE, run.size());
            m.setHeader(JobSteps.RESULT, run.result());
            m.removeHeader(RUN);
        }
    }

    /** The completed job's upload is removed: its events are in the outbox (and its archive, the raw event store). */
    public final class RemoveUpload implements Processor {
        @Override
        public void process(Exchange e) throws IOException {
            String id = e.getMessage().getHeader(JobSteps.ID, String.class);
            Files.deleteIfExists(upload(dir, id, "jsonl"));
            Files.deleteIfExists(upload(dir, id, "csv"));
        }
    }

    /** An expired import (header {@link JobSteps#ID}): its rejected lines and, if still there, its upload. */
    public final class RemoveFiles implements Processor {
        @Override
        public void process(Exchange e) throws IOException {
            String id = e.getMessage().getHeader(JobSteps.ID, String.class);
            Files.deleteIfExists(rejected(dir, id));
            Files.deleteIfExists(upload(dir, id, "jsonl"));
            Files.deleteIfExists(upload(dir, id, "csv"));
        }
    }

    /** {@code GET /imports/{id}/rejected} (body: the job's row): the rejected lines so far, as JSON Lines. */
    public final class SendRejected implements Processor {
        @Override
        public void process(Exchange e) {
            @SuppressWarnings("unchecked")
            Map<String, Object> row = e.getMessage().getBody(Map.class);
            Path file = rejected(dir, (String) row.get("id"));
            var http = (HttpMessage) e.getMessage();
            HttpServerResponse response = http.getResponse().putHeader("Content-Type", "application/x-ndjson")
                    .putHeader("Cache-Control", "no-store");
            if (Files.isRegularFile(file)) {
                response.setStatusCode(200).sendFile(file.toString());
            } else {
                response.setStatusCode(200).end();
            }
            e.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        }
    }
}
