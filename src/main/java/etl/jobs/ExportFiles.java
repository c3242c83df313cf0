package etl.jobs;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * The exports folder ({@code ETL_EXPORTS_DIR}): {@code <id>.csv} or {@code <id>.jsonl} for each completed export,
 * {@code .<id>.<ext>.part} while one is written. Only a complete file has a final name (see {@link ExportWriter}).
 */
public final class ExportFiles {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ExportFiles.class);

    private final Path dir;
    private final long partMaxAgeMillis;

    public ExportFiles(Path dir, long partMaxAgeMillis) {
        this.dir = dir;
        this.partMaxAgeMillis = partMaxAgeMillis;
    }

    static String fileName(String id, ExportRequest r) {
        return id + "." + r.extension();
    }

    static String partName(String id, ExportRequest r) {
        return "." + id + "." + r.extension() + ".part";
    }

    /** The completed file of an export, from its result (job-get.sql's row), or null. */
    public Path file(Map<String, Object> row) {
        Object name = JobView.json(row.get("result")).get("file");
        return name == null ? null : dir.resolve(name.toString());
    }

    /** Removes the file of the job in the body (a row with its result), if it has one. */
    public final class RemoveFile implements Processor {
        @Override
        public void process(Exchange e) throws IOException {
            @SuppressWarnings("unchecked")
            Map<String, Object> row = e.getMessage().getBody(Map.class);
            Path f = file(row);
            if (f != null && Files.deleteIfExists(f)) {
                LOG.info("Export {}: removed {}", row.get("id"), f.getFileName());
            }
        }
    }

    /**
     * Removes what no job owns any more (body: every export's id and status, export-ids.sql): a completed file whose
     * job was deleted while it was being written, a part file of a job that is neither queued nor running (or of none)
     * once it is older than a lease, so that one being created right now is left alone.
     */
    public final class RemoveOrphans implements Processor {
        @Override
        public void process(Exchange e) throws IOException {
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> jobs = e.getMessage().getBody(List.class);
            Map<String, String> status = new HashMap<>();
            for (Map<String, Object> j : jobs) {
                status.put((String) j.get("id"), (String) j.get("status"));
            }
            if (!Files.isDirectory(dir)) {
                return;
            }
            long now = System.currentTimeMillis();
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                for (Path f : files) {
                    String name = f.getFileName().toString();
                    boolean part = name.startsWith(".") && name.endsWith(".part");
                    String id = part ? name.substring(1, name.indexOf('.', 1)) : name.substring(0,
                            Math.max(0, name.indexOf('.')));
                    String s = status.get(id);
                    boolean orphan = part
                            ? !"queued".equals(s) && !"running".equals(s) && old(f, now)
                            : s == null && old(f, now);
                    if (orphan && Files.deleteIfExists(f)) {
                        LOG.info("Exports: removed {}, which no export owns", name);
                    }
                }
            }
        }

        private boolean old(Path f, long now) throws IOException {
            FileTime t = Files.getLastModifiedTime(f);
            return now - t.toMillis() > partMaxAgeMillis;
        }
    }
}
