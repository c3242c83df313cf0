package etl.inbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InboxRunTest {

    private static final String E = "{\"userId\":\"u\",\"name\":\"add_revenue\",\"value\":1}";

    @Test
    void keysComeFromTheContentNotTheName(@TempDir Path dir) throws Exception {
        Path a = Files.writeString(dir.resolve("a.jsonl"), E + "\n");
        Path b = Files.writeString(dir.resolve("b.jsonl"), E + "\n");
        Path c = Files.writeString(dir.resolve("c.jsonl"), E + "\n\n");
        InboxRun ra = new InboxRun(a, dir.resolve(".rejected"), 1000, 5000);
        assertEquals(ra.key(0), new InboxRun(b, dir.resolve(".rejected"), 1000, 5000).key(0));
        assertNotEquals(ra.key(0), new InboxRun(c, dir.resolve(".rejected"), 1000, 5000).key(0));
        assertNotEquals(ra.key(0), ra.key(1));
        assertTrue(ra.key(123456).length() <= 200);
    }

    @Test
    void shortLinesGoAsTheyAreLongOnesNormalised(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("f.jsonl"), "x");
        InboxRun run = new InboxRun(f, dir.resolve(".rejected"), 10, 5000);
        String shortLine = "{\"userId\":\"u\", \"name\":\"add_revenue\",\"value\":1.5,\"note\":\"n\"}";
        String longLine = "{\"userId\":\"u\",\"name\":\"add_revenue\",\"value\":2,\"note\":\"" + "n".repeat(600) + "\"}";
        InboxRun.Chunk c = run.validate(shortLine + "\r\n" + longLine, 0);
        assertEquals(shortLine + "\n{\"userId\":\"u\",\"name\":\"add_revenue\",\"value\":2.00}\n", c.body());
    }

    @Test
    void progressSaysLinesPercentAndRate(@TempDir Path dir) throws Exception {
        String half = E + "\n" + E + "\n";
        Path f = Files.writeString(dir.resolve("p.jsonl"), half + half);
        InboxRun run = new InboxRun(f, dir.resolve(".rejected"), 2, 0);
        run.sent(run.validate(E + "\n" + E, 0).events(), false);
        assertTrue(run.progress().matches("Inbox p\\.jsonl: 2 lines read \\(50%\\), 2 accepted, 0 rejected, \\d+ events/s"),
                run.progress());
        run.sent(run.validate(E + "\n" + E, 1).events(), true);
        assertTrue(run.progress().contains("4 lines read (100%), 2 accepted"), run.progress());
        assertTrue(run.summary().contains("2 chunks (2 events) had been applied before") == false
                && run.summary().contains("1 chunks (2 events) had been applied before"), run.summary());
    }

    @Test
    void chunksOfAFileInOrder(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("f.jsonl"), E + "\n" + E + "\nbad\n" + E + "\n");
        InboxRun run = new InboxRun(f, dir.resolve(".rejected"), 2, 5000);
        List<InboxRun.Chunk> chunks = new java.util.ArrayList<>();
        run.chunks(Files.newInputStream(f)).forEachRemaining(chunks::add);
        assertEquals(2, chunks.size());
        assertEquals(2, chunks.get(0).events());
        assertEquals(1, chunks.get(1).events());
        assertEquals(1, chunks.get(1).index());
        assertTrue(Files.readString(dir.resolve(".rejected/f.jsonl.rejected.jsonl")).startsWith("{\"line\":3,"));
    }

    @Test
    void chunkLineNumbersAndQuarantine(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("f.jsonl"), "x");
        InboxRun run = new InboxRun(f, dir.resolve(".rejected"), 3, 5000);
        InboxRun.Chunk first = run.validate(E + "\r\n\nbad", 0);
        InboxRun.Chunk second = run.validate(E + "\n{\"userId\":\"u\"}\n" + E, 1);
        assertEquals(1, first.events());
        assertEquals(2, second.events());
        assertEquals(2, second.body().split("\n").length);
        assertEquals(run.key(1), second.key());
        List<String> rejected = Files.readAllLines(dir.resolve(".rejected/f.jsonl.rejected.jsonl"));
        assertEquals(2, rejected.size());
        assertTrue(rejected.get(0).startsWith("{\"line\":3,"), rejected.get(0));
        assertTrue(rejected.get(1).startsWith("{\"line\":5,\"reason\":\"name is missing\""), rejected.get(1));
    }
}
