package etl.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutboxFilesTest {

    @Test
    void oldestSpoolFilesInOrderWithoutHiddenOnes(@TempDir Path dir) throws Exception {
        for (String n : new String[] {"3.jsonl", "1.jsonl", ".0.jsonl.tmp", ".x.jsonl", "2.jsonl", "4.txt"}) {
            Files.writeString(dir.resolve(n), "x");
        }
        OutboxFiles files = new OutboxFiles(dir, true);
        assertEquals(List.of("1.jsonl", "2.jsonl"), files.oldest(2));
        assertEquals(List.of("1.jsonl", "2.jsonl", "3.jsonl"), files.oldest(10));
        assertEquals(List.of(), new OutboxFiles(dir.resolve("missing"), true).oldest(10));
    }

    @Test
    void appliedFilesMoveOrGoAndAFileAlreadyGoneIsFine(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("1.jsonl"), "x");
        new OutboxFiles(dir, true).applied(List.of("1.jsonl", "gone.jsonl"));
        assertTrue(Files.exists(dir.resolve(".done/1.jsonl")));
        Files.writeString(dir.resolve("2.jsonl"), "x");
        new OutboxFiles(dir, false).applied(List.of("2.jsonl"));
        assertFalse(Files.exists(dir.resolve("2.jsonl")));
        assertFalse(Files.exists(dir.resolve(".done/2.jsonl")));
    }
}
