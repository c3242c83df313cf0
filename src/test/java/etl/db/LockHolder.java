package etl.db;

import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A separate process that holds the embedded server's data folder lock (zonky's {@code epg-lock}) for a while, as a
 * process starting the server does: {@code java etl.db.LockHolder <lock file> <millis>}; prints "locked" once held.
 */
public final class LockHolder {

    private LockHolder() {
    }

    public static void main(String[] args) throws Exception {
        try (FileChannel ch = FileChannel.open(Path.of(args[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                var lock = ch.lock()) {
            System.out.println("locked");
            System.out.flush();
            Thread.sleep(Long.parseLong(args[1]));
        }
    }
}
