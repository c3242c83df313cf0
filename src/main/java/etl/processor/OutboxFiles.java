package etl.processor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import etl.event.EventValidator;

/**
 * The outbox folder as the processor sees it: one listing per batch that returns the oldest spool files (their names
 * sort in spool order), and, once a batch is committed, the move of its files to {@code .done/} (or their deletion).
 * <p>
 * Camel's file consumer, used with pollEnrich to take several files into one transaction, lists and stats the whole
 * folder for every single file: with a backlog of 8,000 files a batch of 200 took 3 s. Here a batch costs one listing.
 * Another processor may move a file first; that is not an error (the file's mark in the database decides who applied
 * it).
 */
public final class OutboxFiles {

    private static final Logger LOG = LoggerFactory.getLogger(OutboxFiles.class);

    private final Path dir;
    private final boolean keepApplied;

    public OutboxFiles(Path dir, boolean keepApplied) {
        this.dir = dir;
        this.keepApplied = keepApplied;
    }

    /** The names of at most {@code max} spool files, oldest first; hidden (temporary) files are not listed. */
    public List<String> oldest(int max) {
        PriorityQueue<String> newestFirst = new PriorityQueue<>(Collections.reverseOrder());
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.jsonl")) {
            for (Path p : files) {
                String name = p.getFileName().toString();
                if (name.startsWith(".")) {
                    continue;
                }
                newestFirst.add(name);
                if (newestFirst.size() > max) {
                    newestFirst.poll();
                }
            }
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> names = new ArrayList<>(newestFirst);
        Collections.sort(names);
        return names;
    }

    /** What waits in the outbox. */
    public record Backlog(long files, long bytes, double oldestAgeSeconds) {
    }

    /** Counts the spool files waiting (one listing; for the metrics scrape). */
    public Backlog backlog() {
        long files = 0;
        long bytes = 0;
        long oldest = Long.MAX_VALUE;
        try (DirectoryStream<Path> list = Files.newDirectoryStream(dir, "*.jsonl")) {
            for (Path p : list) {
                String name = p.getFileName().toString();
                if (name.startsWith(".")) {
                    continue;
                }
                files++;
                try {
                    bytes += Files.size(p);
                } catch (IOException e) {
                    continue; // applied and moved meanwhile
                }
                long at = spooledAt(name);
                if (at > 0) {
                    oldest = Math.min(oldest, at);
                }
            }
        } catch (IOException e) {
            return new Backlog(0, 0, 0);
        }
        double age = oldest == Long.MAX_VALUE ? 0 : Math.max(0, System.currentTimeMillis() - oldest) / 1000.0;
        return new Backlog(files, bytes, age);
    }

    /** When a spool file was written, from its name ({@code <millis>-…}); 0 when the name says nothing. */
    public static long spooledAt(String name) {
        int dash = name.indexOf('-');
        try {
            return dash > 0 ? Long.parseLong(name.substring(0, dash)) : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    public Path path(String name) {
        return dir.resolve(name);
    }

    /**
     * Keeps a spool line that cannot be read (torn by a crash before its request was acknowledged) in
     * {@code .rejected/<file>.rejected.jsonl}, one JSON object a line: {@code {"line":…,"reason":…,"raw":…}}.
     */
    public void quarantine(String file, long line, String reason, String raw) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("line", line);
        entry.put("reason", reason);
        entry.put("raw", raw);
        try {
            Path rejected = Files.createDirectories(dir.resolve(".rejected"));
            Files.writeString(rejected.resolve(file + ".rejected.jsonl"),
                    EventValidator.MAPPER.writeValueAsString(entry) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            LOG.warn("Outbox {}: cannot quarantine line {}: {}", file, line, e.toString());
        }
    }

    /** After the commit: each file moves to {@code .done/} (kept for replay) or is deleted. */
    public void applied(List<String> names) {
        Path done = dir.resolve(".done");
        for (String name : names) {
            try {
                if (keepApplied) {
                    Files.createDirectories(done);
                    Files.move(dir.resolve(name), done.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                } else {
                    Files.deleteIfExists(dir.resolve(name));
                }
            } catch (NoSuchFileException e) {
                // moved by another processor, which saw it applied
            } catch (IOException e) {
                // the file stays; the next batch finds its name applied and moves it then
                LOG.warn("Outbox {}: applied, but not moved to .done/ yet: {}", name, e.toString());
            }
        }
    }
}
