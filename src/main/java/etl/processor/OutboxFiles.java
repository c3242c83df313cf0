package etl.processor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.PriorityQueue;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import etl.io.Folders;
import etl.io.Rejection;
import etl.spool.OrphanSegments;

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
    private final java.util.concurrent.atomic.LongAdder setAside = new java.util.concurrent.atomic.LongAdder();

    public OutboxFiles(Path dir, boolean keepApplied) {
        this.dir = dir;
        this.keepApplied = keepApplied;
    }

    /** The names of at most {@code max} spool files, oldest first; hidden (temporary) files are not listed. */
    public List<String> oldest(int max) {
        PriorityQueue<String> newestFirst = new PriorityQueue<>(Collections.reverseOrder());
        try {
            for (Path p : spoolFiles()) {
                if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    setAsideEntry(p);
                    continue;
                }
                newestFirst.add(p.getFileName().toString());
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

    /**
     * The first of {@code names} (oldest first) whose sizes add up to at most {@code maxBytes}, and always the first:
     * what one batch takes. A file gone meanwhile (applied by another processor) counts nothing.
     */
    public List<String> within(List<String> names, long maxBytes) {
        List<String> taken = new ArrayList<>();
        long bytes = 0;
        for (String name : names) {
            long size;
            try {
                size = Files.size(dir.resolve(name));
            } catch (IOException e) {
                size = 0;
            }
            if (!taken.isEmpty() && bytes + size > maxBytes) {
                break;
            }
            bytes += size;
            taken.add(name);
        }
        return taken;
    }

    /**
     * A folder, link or device named like a spool file is no request of ours: it would fail every batch. It moves to
     * {@code .rejected/} with a log line, and the processor goes on.
     */
    private void setAsideEntry(Path p) {
        try {
            Path rejected = Files.createDirectories(dir.resolve(".rejected"));
            Path target = rejected.resolve(p.getFileName() + ".not-a-file-" + System.currentTimeMillis());
            Files.move(p, target, StandardCopyOption.ATOMIC_MOVE);
            setAside.increment();
            LOG.error("Outbox {}: not a regular file (a folder or a link), moved to {} and not applied", p.getFileName(),
                    dir.relativize(target));
        } catch (IOException e) {
            LOG.warn("Outbox {}: not a regular file, and it cannot be moved aside: {}", p.getFileName(), e.toString());
        }
    }

    /**
     * What a look at the outbox saw: how many spool files, the greatest name and the least (null when none), and
     * whether a segment is still being written there ({@code writing}: an open segment of a server's spool writer).
     */
    public record Look(int files, String newest, String oldest, boolean writing) {
    }

    /** One listing, names only (no file is opened or stat'ed): what {@link OutboxSettled} compares look to look. */
    public Look look() {
        int files = 0;
        String newest = null;
        String oldest = null;
        boolean writing = false;
        try (DirectoryStream<Path> list = Files.newDirectoryStream(dir)) {
            for (Path p : list) {
                String name = p.getFileName().toString();
                if (isSpoolFile(p)) {
                    files++;
                    if (newest == null || name.compareTo(newest) > 0) {
                        newest = name;
                    }
                    if (oldest == null || name.compareTo(oldest) < 0) {
                        oldest = name;
                    }
                } else if (OrphanSegments.unsealed(name)) {
                    writing = true;
                }
            }
        } catch (NoSuchFileException e) {
            return new Look(0, null, null, false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Look(files, newest, oldest, writing);
    }

    private static boolean isSpoolFile(Path p) {
        String name = p.getFileName().toString();
        return name.endsWith(".jsonl") && !name.startsWith(".");
    }

    /** The spool files of the outbox (a {@code *.jsonl} name not hidden), in no order: one listing. */
    private List<Path> spoolFiles() throws IOException {
        // a filter on the name, not the glob "*.jsonl" (a pattern compiled per listing: this runs 40 times a second)
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> list = Files.newDirectoryStream(dir, OutboxFiles::isSpoolFile)) {
            list.forEach(files::add);
        }
        return files;
    }

    public record Backlog(long files, long bytes, double oldestAgeSeconds) {
    }

    /** Counts the spool files waiting (one listing; for the metrics scrape). */
    public Backlog backlog() {
        List<Path> files;
        try {
            files = spoolFiles();
        } catch (IOException e) {
            return new Backlog(0, 0, 0);
        }
        long bytes = 0;
        long oldest = Long.MAX_VALUE;
        for (Path p : files) {
            try {
                bytes += Files.size(p);
            } catch (IOException e) {
                continue; // applied and moved meanwhile
            }
            long at = spooledAt(p.getFileName().toString());
            if (at > 0) {
                oldest = Math.min(oldest, at);
            }
        }
        double age = oldest == Long.MAX_VALUE ? 0 : Math.max(0, System.currentTimeMillis() - oldest) / 1000.0;
        return new Backlog(files.size(), bytes, age);
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

    /** A line of an outbox file kept in {@code .rejected/}: its number, why, and the line itself. */
    public record Rejected(long line, String reason, String raw) {
    }

    /**
     * Keeps the lines of {@code file} that were not applied (a torn line, a request the database refuses for good) in
     * {@code .rejected/<file>.rejected.jsonl}, one JSON object a line: {@code {"line":…,"reason":…,"raw":…}}. Called
     * before the batch commits: the file is written whole (temporary name, fsync, rename), so a batch tried again
     * writes the same file again instead of appending twice.
     */
    public void quarantine(String file, List<Rejected> lines) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Rejected r : lines) {
            sb.append(Rejection.json(r.line(), r.reason(), r.raw().getBytes(StandardCharsets.UTF_8))).append('\n');
        }
        Path dirRejected = Files.createDirectories(dir.resolve(".rejected"));
        Folders.writeDurably(dirRejected.resolve(file + ".rejected.jsonl"), sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** How many requests and folder entries were set aside (for the metrics). */
    public long setAsideCount() {
        return setAside.sum();
    }

    /** Counts requests set aside by a committed batch. */
    public void countSetAside(long n) {
        setAside.add(n);
    }

    /** What a pass of the archive's retention removed. */
    public record Pruned(long files, long bytes, long newestRemovedMillis) {
    }

    /**
     * The retention of {@code .done/} (the archive of applied files, kept for replay and audit): files spooled more
     * than {@code maxAgeMillis} ago are removed, then the oldest until the archive holds at most {@code maxBytes}
     * ({@code 0}: no limit).
     */
    /** The archive of applied files, {@code outbox/.done/}. */
    public Path archiveDir() {
        return dir.resolve(".done");
    }

    public Pruned pruneArchive(long maxAgeMillis, long maxBytes) throws IOException {
        Path done = dir.resolve(".done");
        if (!Files.isDirectory(done)) {
            return new Pruned(0, 0, 0);
        }
        record Entry(Path path, long at, long size) {
        }
        List<Entry> entries = new ArrayList<>();
        try (DirectoryStream<Path> list = Files.newDirectoryStream(done, "*.jsonl")) {
            for (Path p : list) {
                try {
                    long at = spooledAt(p.getFileName().toString());
                    entries.add(new Entry(p, at > 0 ? at : Files.getLastModifiedTime(p).toMillis(), Files.size(p)));
                } catch (NoSuchFileException e) {
                    // removed meanwhile
                }
            }
        }
        entries.sort(java.util.Comparator.comparingLong(Entry::at));
        long total = entries.stream().mapToLong(Entry::size).sum();
        long cutoff = System.currentTimeMillis() - maxAgeMillis;
        long files = 0;
        long bytes = 0;
        long newest = 0;
        for (Entry e : entries) {
            if (e.at() >= cutoff && (maxBytes <= 0 || total <= maxBytes)) {
                break;
            }
            Files.deleteIfExists(e.path());
            total -= e.size();
            files++;
            bytes += e.size();
            newest = Math.max(newest, e.at());
        }
        return new Pruned(files, bytes, newest);
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
