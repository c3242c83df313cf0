package etl.spool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolWriterTest {

    @Test
    void concurrentWritesAreAllOnDiskUnderVisibleNames(@TempDir Path dir) throws Exception {
        SpoolWriter w = new SpoolWriter(dir, 1 << 20, 500, 10_000);
        w.start();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Future<String>> names = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            byte[] line = ("line-" + i + "\n").getBytes();
            names.add(pool.submit(() -> w.write(line)));
        }
        Set<String> files = new HashSet<>();
        for (Future<String> f : names) {
            files.add(f.get());
        }
        pool.shutdown();
        w.stop();
        long lines = 0;
        for (String f : files) {
            assertTrue(f.endsWith(".jsonl") && !f.startsWith("."), f);
            lines += Files.readAllLines(dir.resolve(f)).size();
        }
        assertEquals(400, lines);
        try (var s = Files.list(dir)) {
            assertEquals(files.size(), s.count(), "no temporary file left behind");
        }
        assertTrue(files.size() <= 400);
    }

    @Test
    void unwritableFolderFailsTheWrite(@TempDir Path dir) throws Exception {
        Path spool = dir.resolve("spool");
        SpoolWriter w = new SpoolWriter(spool, 1 << 20, 0, 10_000);
        w.start();
        Files.delete(spool);
        Files.writeString(spool, "now a file, not a folder");
        assertThrows(UncheckedIOException.class, () -> w.write("x\n".getBytes()));
        w.stop();
    }

    /**
     * A write that times out is either not kept (and says so) or kept (and answered): never "nothing was kept" for a
     * line that then is on disk (a client retrying that answer counted its events twice).
     */
    @Test
    void aTimedOutWriteIsNeverKeptAfterAFailure(@TempDir Path dir) throws Exception {
        // each group lingers 200 ms, far past the 20 ms timeout: every write times out while it is being written
        SpoolWriter w = new SpoolWriter(dir, 1 << 20, 200_000, 20);
        w.start();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<String>> results = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            byte[] line = ("line-" + i + "\n").getBytes();
            results.add(pool.submit(() -> {
                try {
                    return w.write(line);
                } catch (UncheckedIOException e) {
                    return null;
                }
            }));
        }
        Set<String> answered = new HashSet<>();
        for (int i = 0; i < results.size(); i++) {
            if (results.get(i).get() != null) {
                answered.add("line-" + i);
            }
        }
        pool.shutdown();
        Thread.sleep(600); // whatever the writer had taken is on disk by now
        w.stop();
        Set<String> onDisk = new HashSet<>();
        try (var s = Files.list(dir)) {
            for (Path f : s.toList()) {
                onDisk.addAll(Files.readAllLines(f));
            }
        }
        assertEquals(answered, onDisk, "what is on disk is exactly what was answered as kept");
    }
}
