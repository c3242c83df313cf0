package etl.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import etl.io.Rejection;

class RecentRejectionsTest {

    @TempDir
    Path dir;

    @Test
    void newestFilesFirstLastLinesFirstAndOnlyTheirEndIsRead() throws Exception {
        Path inbox = Files.createDirectories(dir.resolve("inbox/.rejected"));
        Path outbox = Files.createDirectories(dir.resolve("outbox/.rejected"));
        StringBuilder big = new StringBuilder();
        for (int i = 1; i <= 2000; i++) {
            big.append(Rejection.json(i, "bad line " + i, new byte[] {(byte) 0xFE, 'x', 0})).append('\n');
        }
        Path old = inbox.resolve("a.jsonl.rejected.jsonl");
        Files.writeString(old, big, StandardCharsets.UTF_8);
        Files.setLastModifiedTime(old, FileTime.fromMillis(1_000_000));
        Path recent = outbox.resolve("1-2-3.jsonl.rejected.jsonl");
        Files.writeString(recent, Rejection.json(7, "refused by the database: numeric field overflow",
                "{\"key\":null}".getBytes(StandardCharsets.UTF_8)) + "\n");
        Files.writeString(inbox.resolve("not-a-quarantine.txt"), "ignored");

        List<RecentRejections.Entry> e = new RecentRejections(dir.resolve("inbox"), dir.resolve("outbox")).newest(5);
        assertEquals(5, e.size());
        assertEquals("outbox", e.get(0).source());
        assertEquals(7, e.get(0).line());
        assertTrue(e.get(0).reason().startsWith("refused by the database"));
        assertEquals(2000, e.get(1).line(), "the last line of the older file next");
        assertEquals("bad line 1999", e.get(2).reason());
        assertTrue(e.get(1).file().endsWith("a.jsonl.rejected.jsonl"));
    }
}
