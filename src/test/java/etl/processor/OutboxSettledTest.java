package etl.processor;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutboxSettledTest {

    @TempDir
    Path dir;

    private long now;
    /** The wall clock (ms) that spool names carry; it moves with {@link #now}. */
    private long wall = 1_796_000_000_000L;
    private int seq;

    /** A spool file named as the server names it, written now. */
    private void spool() throws IOException {
        Files.writeString(dir.resolve(String.format("%013d-test-%06d.jsonl", wall, seq++)), "{}\n");
    }

    private void later(long millis) {
        now += millis * 1_000_000;
        wall += millis;
    }

    /** What a batch does with the files it took: they leave the outbox (an open segment stays). */
    private void applied() throws IOException {
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                if (!p.getFileName().toString().startsWith(".")) {
                    Files.delete(p);
                }
            }
        }
    }

    /** A server's spool writer holds a segment open in the outbox, as SpoolWriter names it. */
    private Path writing() throws IOException {
        return Files.writeString(dir.resolve(String.format(".%013d-writer-%06d.jsonl.open", wall, 999)), "{}\n");
    }

    /** Settled, with a segment being written (the files may be the first of a burst): the tests below but the last. */
    private OutboxSettled settled() throws IOException {
        writing();
        return new OutboxSettled(new OutboxFiles(dir, true), 200, () -> now, () -> wall);
    }

    @Test
    void aFileIsTakenOnceNothingNewCameForALook() throws IOException {
        OutboxSettled settled = settled();
        assertFalse(settled.matches(null), "nothing to apply");
        Files.writeString(dir.resolve(".tmp-1.jsonl"), "{}\n");
        assertFalse(settled.matches(null), "a hidden (temporary) file is not a spool file");
        assertFalse(settled.matches(null), "an open segment is not a spool file");
        spool();
        later(25);
        assertFalse(settled.matches(null), "first seen: it may be the first of a burst");
        later(25);
        assertTrue(settled.matches(null), "nothing new since: a batch");
    }

    @Test
    void whileFilesKeepComingTheFirstWaitsAtMostTheMaximum() throws IOException {
        OutboxSettled settled = settled();
        spool();
        for (int look = 0; look < 8; look++) { // 0 .. 175 ms
            assertFalse(settled.matches(null), "look " + look);
            spool();
            later(25);
        }
        assertTrue(settled.matches(null), "200 ms after the first was seen");
        applied();
        // files that came during the batch: one look to see whether more follow, then a batch
        spool();
        later(25);
        assertFalse(settled.matches(null));
        later(25);
        assertTrue(settled.matches(null));
    }

    @Test
    void filesLeftByAFailedBatchAreTriedAgainAfterALook() throws IOException {
        OutboxSettled settled = settled();
        spool();
        assertFalse(settled.matches(null));
        later(25);
        assertTrue(settled.matches(null));
        // the batch rolled back: the same file is still there
        later(25);
        assertFalse(settled.matches(null));
        later(25);
        assertTrue(settled.matches(null));
        // applied meanwhile by another process: nothing, and a new file starts a new wait
        applied();
        assertFalse(settled.matches(null));
        later(1000);
        spool();
        assertFalse(settled.matches(null), "first seen now, however long the outbox was empty");
    }

    /**
     * Files spooled while a batch ran (or before the process started) have waited already: once the oldest has waited
     * the maximum by the time in its name, the next look takes them, without another wait. A name without a time (a
     * file put there by hand, an older layout) waits as before.
     */
    @Test
    void filesThatWaitedDuringABatchAreTakenAtTheNextLook() throws IOException {
        OutboxSettled settled = settled();
        spool();
        assertFalse(settled.matches(null));
        later(25);
        assertTrue(settled.matches(null), "a batch");
        applied();
        // it takes 300 ms, while files keep coming
        for (int i = 0; i < 12; i++) {
            spool();
            later(25);
        }
        assertTrue(settled.matches(null), "the oldest has waited 300 ms: at once");
        applied();
        // a short batch: the files that came during it are young, and more keep coming
        spool();
        later(25);
        spool();
        assertFalse(settled.matches(null), "the oldest has waited 25 ms");
        later(175);
        spool();
        assertTrue(settled.matches(null), "the oldest has waited 200 ms (files still coming)");
        applied();
        Files.writeString(dir.resolve("by-hand.jsonl"), "{}\n");
        later(1000);
        assertFalse(settled.matches(null), "no time in the name: it waits as before");
    }

    /**
     * With no segment being written in the outbox (no server writing, files moved in at once, or the last segment of a
     * burst sealed), nothing more is coming: the first look that sees files takes them. Once a writer opens a segment,
     * a look waits for a quiet one again.
     */
    @Test
    void filesAreTakenAtTheFirstLookWhenNoSegmentIsBeingWritten() throws IOException {
        OutboxSettled settled = new OutboxSettled(new OutboxFiles(dir, true), 200, () -> now, () -> wall);
        Files.writeString(dir.resolve("0000000000000-bench-0000.jsonl"), "{}\n");
        Files.writeString(dir.resolve("0000000000000-bench-0001.jsonl"), "{}\n");
        assertTrue(settled.matches(null), "nothing is being written: at once");
        applied();
        Path open = writing();
        spool();
        later(25);
        assertFalse(settled.matches(null), "a segment is being written: the file may be the first of a burst");
        Files.move(open, dir.resolve(open.getFileName().toString().substring(1).replace(".open", "")));
        assertTrue(settled.matches(null), "the segment sealed, nothing else open: the next look takes both");
        Files.writeString(dir.resolve(".0000000000001-w-000001.jsonl.creating"), "");
        applied();
        spool();
        assertFalse(settled.matches(null), "a segment being created counts as written");
    }
}
