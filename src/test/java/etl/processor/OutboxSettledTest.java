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
    private int seq;

    private void spool() throws IOException {
        Files.writeString(dir.resolve(String.format("%013d-test-%06d.jsonl", 1_000 + seq, seq++)), "{}\n");
    }

    @Test
    void aFileIsTakenOnceNothingNewCameForALook() throws IOException {
        OutboxSettled settled = new OutboxSettled(new OutboxFiles(dir, true), 200, () -> now);
        assertFalse(settled.matches(null), "nothing to apply");
        Files.writeString(dir.resolve(".tmp-1.jsonl"), "{}\n");
        assertFalse(settled.matches(null), "a hidden (temporary) file is not a spool file");
        spool();
        now += 25_000_000;
        assertFalse(settled.matches(null), "first seen: it may be the first of a burst");
        now += 25_000_000;
        assertTrue(settled.matches(null), "nothing new since: a batch");
    }

    @Test
    void whileFilesKeepComingTheFirstWaitsAtMostTheMaximum() throws IOException {
        OutboxSettled settled = new OutboxSettled(new OutboxFiles(dir, true), 200, () -> now);
        spool();
        for (int look = 0; look < 8; look++) { // 0 .. 175 ms
            assertFalse(settled.matches(null), "look " + look);
            spool();
            now += 25_000_000;
        }
        assertTrue(settled.matches(null), "200 ms after the first was seen");
        // files that came during the batch: one look to see whether more follow, then a batch
        spool();
        now += 25_000_000;
        assertFalse(settled.matches(null));
        now += 25_000_000;
        assertTrue(settled.matches(null));
    }

    @Test
    void filesLeftByAFailedBatchAreTriedAgainAfterALook() throws IOException {
        OutboxSettled settled = new OutboxSettled(new OutboxFiles(dir, true), 200, () -> now);
        spool();
        assertFalse(settled.matches(null));
        now += 25_000_000;
        assertTrue(settled.matches(null));
        // the batch rolled back: the same file is still there
        now += 25_000_000;
        assertFalse(settled.matches(null));
        now += 25_000_000;
        assertTrue(settled.matches(null));
        // applied meanwhile by another process: nothing, and a new file starts a new wait
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        assertFalse(settled.matches(null));
        spool();
        now += 1_000_000_000;
        assertFalse(settled.matches(null), "first seen now, however long the outbox was empty");
    }
}
