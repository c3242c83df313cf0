package etl.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ThreadLocalRandom;

/** Files and folders as the system writes them: the write check, and a durable whole-file write. */
public final class Folders {

    private Folders() {
    }

    /** Throws when a file cannot be created in {@code dir} (missing, not a folder, not writable, disk full). */
    public static void checkWritable(Path dir) throws IOException {
        Files.delete(Files.createTempFile(dir, ".write-check-", ".tmp"));
    }

    /**
     * Writes {@code content} as the whole of {@code target}: under a hidden temporary name in the same folder, forced
     * to the device, renamed atomically over the target, and the folder forced, so that a reader (or a crash) sees the
     * old file or the new one, never a part. The file is readable by its owner and group only.
     */
    public static void writeDurably(Path target, byte[] content) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = dir.resolve("." + target.getFileName() + "." + Long.toString(ThreadLocalRandom.current().nextLong()
                & Long.MAX_VALUE, 36) + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            setPrivate(tmp);
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                ch.write(buffer);
            }
            ch.force(true);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        forceFolder(dir);
    }

    /** Forces a folder's entries (a new or renamed name) to the device. */
    public static void forceFolder(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    /** rw-r----- where the file system has POSIX permissions: what the system writes is not for every local user. */
    public static void setPrivate(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: its own defaults apply
        }
    }

    /** {@code dir/name}, or {@code dir/name.1}, {@code .2}, … when that is taken: a file dropped again keeps both. */
    public static Path freeName(Path dir, String name) {
        Path p = dir.resolve(name);
        for (int i = 1; Files.exists(p); i++) {
            p = dir.resolve(name + "." + i);
        }
        return p;
    }
}
