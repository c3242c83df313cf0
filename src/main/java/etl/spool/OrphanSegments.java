package etl.spool;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import etl.io.Folders;

/**
 * Seals the outbox segments that a stopped process left open ({@link SpoolWriter}): a segment whose lock can be taken
 * has no living writer (the operating system drops a process's locks when it dies, {@code kill -9} included), so
 * what it holds, every answered request and perhaps a torn last line that was never answered, is renamed to its spool
 * name for the processor; an empty one is deleted. A segment of this process is never opened here: closing any
 * channel of a file drops the process's lock on it (POSIX record locks), so the writers of this process name theirs
 * in {@link #HELD}.
 * <p>
 * Route step {@code spool-orphans} (processor role), and each {@link SpoolWriter} at its start.
 */
public final class OrphanSegments implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(OrphanSegments.class);

    private static final String OPEN = ".open";
    private static final String CREATING = ".creating";

    /** The spool names of the segments this process's writers hold open. */
    static final Set<String> HELD = ConcurrentHashMap.newKeySet();

    private final Path dir;

    public OrphanSegments(Path dir) {
        this.dir = dir;
    }

    /** The hidden name of the open segment that becomes {@code name} when it is sealed. */
    static String openName(String name) {
        return "." + name + OPEN;
    }

    /**
     * Whether {@code fileName} (a name in the outbox) is a segment not sealed yet, open or being created: a writer of
     * some process is (or was, until it is adopted) still adding groups to it.
     */
    public static boolean unsealed(String fileName) {
        return fileName.startsWith(".") && (fileName.endsWith(".jsonl" + OPEN) || fileName.endsWith(".jsonl" + CREATING));
    }

    /** The hidden name of a segment while it is created and locked (never adopted: it holds nothing yet). */
    static String creatingName(String name) {
        return "." + name + CREATING;
    }

    @Override
    public void process(Exchange exchange) throws IOException {
        exchange.getMessage().setBody(adopt());
    }

    /** Seals every orphaned segment of the outbox; returns how many were sealed with something in them. */
    public int adopt() throws IOException {
        int sealed = 0;
        try (DirectoryStream<Path> list = Files.newDirectoryStream(dir, OrphanSegments::isSegment)) {
            for (Path p : list) {
                if (adopt(p)) {
                    sealed++;
                }
            }
        } catch (NoSuchFileException | NotDirectoryException e) {
            return 0; // no outbox yet, or none now: nothing to adopt
        }
        return sealed;
    }

    private static boolean isSegment(Path p) {
        String file = p.getFileName().toString();
        return file.startsWith(".") && (file.endsWith(OPEN) || file.endsWith(CREATING));
    }

    private boolean adopt(Path p) throws IOException {
        String file = p.getFileName().toString();
        boolean open = file.endsWith(OPEN);
        String name = file.substring(1, file.length() - (open ? OPEN : CREATING).length());
        if (HELD.contains(name)) {
            return false;
        }
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock lock = ch.tryLock();
            if (lock == null) {
                return false; // its writer lives
            }
            if (!open || ch.size() == 0) {
                Files.deleteIfExists(p);
                return false;
            }
            Files.move(p, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
            Folders.forceFolder(dir);
            LOG.warn("Outbox segment {} ({} bytes) was left open by a process that stopped; sealed for the processor",
                    name, ch.size());
            return true;
        } catch (NoSuchFileException e) {
            return false; // sealed or adopted meanwhile
        } catch (OverlappingFileLockException e) {
            return false; // held by this process after all
        }
    }
}
