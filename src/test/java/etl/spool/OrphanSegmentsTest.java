package etl.spool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OrphanSegmentsTest {

    /** Another JVM (a process of its own, as a second server would be) that locks {@code file} as a writer does. */
    private static Process lockInAnotherProcess(Path file, String mode) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), LockHolder.class.getName(),
                file.toString(), mode).redirectErrorStream(true).start();
    }

    /** What a process killed with kill -9 leaves: segments whose lock went with it. */
    @Test
    void segmentsWithoutALivingWriterAreSealedOrRemoved(@TempDir Path dir) throws Exception {
        // a segment with answered lines and the torn start of one never answered; invalid UTF-8 and NUL bytes in it
        byte[] content = "{\"a\":1}\n\u0000\u00ff{\"b\"".getBytes(StandardCharsets.ISO_8859_1);
        Files.write(dir.resolve(".0000000000005-gone-000002.jsonl.open"), content);
        // opened, nothing written (or a spare that a writer made ahead)
        Files.createFile(dir.resolve(".0000000000006-gone-000003.jsonl.open"));
        Files.createFile(dir.resolve(".0000000000007-gone-000004.jsonl.creating")); // never locked
        Files.writeString(dir.resolve("0000000000001-other-000001.jsonl"), "a sealed file stays\n");

        assertEquals(1, new OrphanSegments(dir).adopt());

        assertEquals(List.of("0000000000001-other-000001.jsonl", "0000000000005-gone-000002.jsonl"),
                SpoolWriterTest.names(dir));
        assertEquals(List.of(content.length), List.of(Files.readAllBytes(dir.resolve("0000000000005-gone-000002.jsonl"))
                .length));
        assertEquals(0, new OrphanSegments(dir).adopt(), "nothing left to adopt");
    }

    @Test
    void aSegmentLockedByAnotherLivingProcessIsLeftAlone(@TempDir Path dir) throws Exception {
        Path open = dir.resolve(".0000000000005-alive-000001.jsonl.open");
        Files.writeString(open, "answered\n");
        Process holder = lockInAnotherProcess(open, "hold");
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream()));
            assertEquals("locked", out.readLine());
            assertEquals(0, new OrphanSegments(dir).adopt());
            assertEquals(List.of(".0000000000005-alive-000001.jsonl.open"), SpoolWriterTest.names(dir),
                    "its writer lives");
        } finally {
            holder.getOutputStream().close(); // the holder ends when its input does
            assertTrue(holder.waitFor(30, TimeUnit.SECONDS));
        }
        assertEquals(1, new OrphanSegments(dir).adopt(), "once that process has ended");
        assertEquals(List.of("0000000000005-alive-000001.jsonl"), SpoolWriterTest.names(dir));
    }

    /**
     * This process's own open segment is never opened by the adoption: closing any channel of a file drops the
     * process's lock on it, and another process would then take a living segment for an orphan.
     */
    @Test
    void aWritersOwnSegmentKeepsItsLockThroughAnAdoptionInTheSameProcess(@TempDir Path dir) throws Exception {
        SpoolWriter w = SpoolWriterTest.started(dir, 1 << 20, 600_000);
        try {
            String name = w.write("x\n".getBytes());
            assertEquals(0, new OrphanSegments(dir).adopt());
            Process probe = lockInAnotherProcess(dir.resolve("." + name + ".open"), "try");
            assertTrue(probe.waitFor(30, TimeUnit.SECONDS));
            assertEquals(3, probe.exitValue(), "another process cannot take the lock: the writer still holds it");
        } finally {
            w.stop();
        }
    }

    /** {@code <file> hold}: locks it, prints "locked", keeps it until its input ends. {@code <file> try}: exits 0 when
     * the lock could be taken, 3 when not. */
    public static final class LockHolder {
        public static void main(String[] args) throws Exception {
            try (FileChannel ch = FileChannel.open(Path.of(args[0]), StandardOpenOption.READ,
                    StandardOpenOption.WRITE)) {
                var lock = ch.tryLock();
                if (args[1].equals("try")) {
                    System.exit(lock == null ? 3 : 0);
                }
                System.out.println(lock == null ? "not locked" : "locked");
                System.out.flush();
                while (System.in.read() >= 0) {
                    // until the test closes our input
                }
            }
        }
    }
}
