package etl.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The one check that a folder can be written: a hidden file created and deleted in it. */
public final class Folders {

    private Folders() {
    }

    /** Throws when a file cannot be created in {@code dir} (missing, not a folder, not writable, disk full). */
    public static void checkWritable(Path dir) throws IOException {
        Files.delete(Files.createTempFile(dir, ".write-check-", ".tmp"));
    }
}
