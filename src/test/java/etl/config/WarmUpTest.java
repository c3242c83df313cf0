package etl.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import etl.event.RequestParser;

/**
 * The JIT's warm-up runs the real stages of the roles it is given, on events that the real parsers accept, and leaves
 * nothing behind (its temporary file is deleted).
 */
class WarmUpTest {

    private static final Set<String> ALL = Set.of(Roles.SERVER, Roles.PROCESSOR, Roles.CLIENT);
    private static final long REHEARSED = 30_000 + 30_000 + 20 * 40;

    @Test
    void everyEventGoesThroughEachStageOfTheRoles() throws IOException {
        List<Path> before = warmUpFolders();
        // chunks of 7,000 lines: the last one short, as a file's last chunk is; the processor's rehearsal: a batch of
        // 30,000 new users, one of 15,000 new and 15,000 known, and 20 of 40 (BatchRehearsal)
        assertEquals(new WarmUp.Done(30_000, 30_000, 30_000, 1000, REHEARSED),
                WarmUp.run(ALL, 30_000, 7_000, 4 << 20, 1 << 20));
        assertEquals(before, warmUpFolders(), "the temporary folder is deleted");

        assertEquals(new WarmUp.Done(0, 30_000, 30_000, 1000, REHEARSED),
                WarmUp.run(Set.of(Roles.PROCESSOR), 30_000, 7_000, 4 << 20, 1 << 20));
        assertEquals(new WarmUp.Done(30_000, 30_000, 0, 0, 0),
                WarmUp.run(Set.of(Roles.SERVER, Roles.CLIENT), 30_000, 7_000, 4 << 20, 1 << 20));
        assertEquals(new WarmUp.Done(30_000, 0, 0, 0, 0), WarmUp.run(Set.of(Roles.CLIENT), 30_000, 7_000, 4 << 20, 1 << 20));
        // a chunk bounded by its bytes (the client's other bound) changes nothing but the number of requests
        assertEquals(new WarmUp.Done(30_000, 30_000, 30_000, 1000, REHEARSED),
                WarmUp.run(ALL, 30_000, 20_000, 100_000, 1 << 20));
    }

    @Test
    void theSyntheticLinesAreValidEventsOfBothKindsAndBothForms() {
        byte[] lines = WarmUp.lines(0, 6);
        RequestParser.Parsed parsed = RequestParser.parse(lines, "application/x-ndjson");
        assertEquals(6, parsed.events().size(), parsed.invalid().toString());
        String text = new String(lines, java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(2, text.split("subtract_revenue", -1).length - 1);
        assertEquals(4, text.split("\"add_revenue\"", -1).length - 1);
        assertEquals(3, text.split("\\.\\d\\d}", -1).length - 1, text); // with cents: every other line
    }

    private static List<Path> warmUpFolders() throws IOException {
        try (Stream<Path> all = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return all.filter(p -> p.getFileName().toString().startsWith("etl-warm-up")).sorted().toList();
        }
    }
}
