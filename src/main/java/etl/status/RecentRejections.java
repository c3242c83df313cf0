package etl.status;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Where the bad input went, for the status page: the newest entries of the quarantine files, {@code inbox/.rejected/}
 * (invalid lines of dropped files) and {@code outbox/.rejected/} (requests the database refuses for good, torn lines),
 * each with its reason, its file and its line, newest file first. Only the end of each file is read, so a quarantine
 * of any size costs the same; the lines themselves are not shown (they stay on disk, where the entry says).
 */
public final class RecentRejections {

    /** One quarantined line: which folder, the quarantine file, the line of the original file, why. */
    public record Entry(String source, String file, long line, String reason, long modifiedMillis) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int TAIL_BYTES = 32 * 1024;
    private static final int MAX_REASON = 300;

    private final Path inboxRejected;
    private final Path outboxRejected;

    public RecentRejections(Path inboxDir, Path outboxDir) {
        this.inboxRejected = inboxDir.resolve(".rejected");
        this.outboxRejected = outboxDir.resolve(".rejected");
    }

    /** Up to {@code limit} entries, the newest quarantine files first, the last lines of each first. */
    public List<Entry> newest(int limit) {
        record Found(String source, Path path, long modified) {
        }
        List<Found> files = new ArrayList<>();
        for (Path dir : List.of(inboxRejected, outboxRejected)) {
            String source = dir == inboxRejected ? "inbox" : "outbox";
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (DirectoryStream<Path> list = Files.newDirectoryStream(dir, "*.rejected.jsonl")) {
                for (Path p : list) {
                    try {
                        files.add(new Found(source, p, Files.getLastModifiedTime(p).toMillis()));
                    } catch (IOException e) {
                        // removed meanwhile
                    }
                }
            } catch (IOException e) {
                // an unreadable folder shows nothing
            }
        }
        files.sort(Comparator.comparingLong(Found::modified).reversed());
        List<Entry> out = new ArrayList<>();
        for (Found f : files) {
            List<Entry> entries = tail(f.source(), f.path(), f.modified());
            for (int i = entries.size() - 1; i >= 0 && out.size() < limit; i--) {
                out.add(entries.get(i));
            }
            if (out.size() >= limit) {
                break;
            }
        }
        return out;
    }

    private static List<Entry> tail(String source, Path path, long modified) {
        List<Entry> entries = new ArrayList<>();
        try (RandomAccessFile f = new RandomAccessFile(path.toFile(), "r")) {
            long start = Math.max(0, f.length() - TAIL_BYTES);
            byte[] buf = new byte[(int) (f.length() - start)];
            f.seek(start);
            f.readFully(buf);
            String text = new String(buf, StandardCharsets.UTF_8);
            String[] lines = text.split("\n");
            // a tail that starts mid-line drops that first piece
            for (int i = start > 0 ? 1 : 0; i < lines.length; i++) {
                if (lines[i].isBlank()) {
                    continue;
                }
                try {
                    JsonNode n = JSON.readTree(lines[i]);
                    String reason = n.path("reason").asText("");
                    if (reason.length() > MAX_REASON) {
                        reason = reason.substring(0, MAX_REASON) + "…";
                    }
                    entries.add(new Entry(source, path.toString(), n.path("line").asLong(), reason, modified));
                } catch (IOException e) {
                    // not an entry (cut by the tail): skipped
                }
            }
        } catch (IOException e) {
            // removed meanwhile
        }
        return entries;
    }
}
