package etl.config;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import etl.event.RequestParser;
import etl.inbox.InboxRun;
import etl.processor.BatchRehearsal;
import etl.processor.ReadAhead;
import etl.processor.UserOrder;
import etl.processor.UserSums;
import etl.spool.SpoolRecord;

/**
 * The JIT's warm-up at start ({@code etl.warm-up.events}): while the database starts, synthetic events of users
 * {@code warm-up-…} go once through the code that every event takes in this process's roles: the client's reading and
 * checking of a file's lines ({@link InboxRun}, a file in a temporary folder, deleted after), the server's parsing of
 * a request body and its spool line ({@link RequestParser}, {@link SpoolRecord#line}), the processor's reading of
 * spool lines, its sums and the order of its users ({@link ReadAhead}, {@link UserSums}, {@link UserOrder}). Nothing
 * reaches the database, the outbox, the inbox or a metric: the events exist only in this thread's memory, and only the
 * JIT keeps anything of them.
 * <p>
 * Why: the JVM compiles a method only once it has run hot, and on two cores the compiler threads share the machine
 * with the work. A 1M-line file dropped into a process that had just started took 1.39-1.66 s (bench/e2e.sh), the
 * same file after a million other events 0.82-0.91 s; the difference is the compilation of these few methods while
 * the file passes through them (the compiler threads used 1.3-1.6 CPU s of such a run; nineteenth and twenty-first
 * sessions, docs/BENCHMARKS.md). Run here, that compilation overlaps the database's start, when the process has
 * nothing else to do. Real events that arrive before it ends are served as before, only alongside it.
 */
public final class WarmUp {

    private static final Logger LOG = LoggerFactory.getLogger(WarmUp.class);
    private static final String JSON_LINES = "application/x-ndjson";

    /** What a warm-up went through: lines checked by the client, events parsed by the server, summed by the processor. */
    public record Done(long clientLines, long serverEvents, long processorEvents, int users, long rehearsedRows) {
    }

    private WarmUp() {
    }

    /** Starts the warm-up of {@code events} events (0: none) for {@code roles} on a daemon thread of its own. */
    public static void start(Set<String> roles, int events, int chunkLines, long chunkBytes, int maxLineBytes) {
        if (events <= 0) {
            return;
        }
        Thread t = new Thread(() -> {
            long started = System.nanoTime();
            try {
                Done done = run(roles, events, chunkLines, chunkBytes, maxLineBytes);
                LOG.info("JIT warm-up: {} synthetic events through the client's ({} lines), the server's ({}) and the"
                        + " processor's ({}) parsers, {} rows of rehearsed batches, in {} ms", events,
                        done.clientLines(), done.serverEvents(), done.processorEvents(), done.rehearsedRows(),
                        (System.nanoTime() - started) / 1_000_000);
            } catch (IOException | RuntimeException e) {
                // it only ever costs time: the process serves the same either way
                LOG.warn("JIT warm-up ended early: {}", e.toString());
            }
        }, "jit-warm-up");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }

    /**
     * The warm-up itself, on the calling thread: {@code events} events in requests of {@code chunkLines} lines (as the
     * client sends a file's chunks), each request through the stages of {@code roles} in turn and then dropped, so that
     * at most one request's bytes are held at a time (a processor-only process runs with a heap of 96 MB).
     */
    public static Done run(Set<String> roles, int events, int chunkLines, long chunkBytes, int maxLineBytes)
            throws IOException {
        Stages stages = new Stages(roles);
        int perChunk = Math.max(1, Math.min(chunkLines, events));
        if (!roles.contains(Roles.CLIENT)) {
            for (int from = 0; from < events; from += perChunk) {
                stages.request(lines(from, Math.min(events, from + perChunk)));
            }
            return stages.done(0);
        }
        Path dir = Files.createTempDirectory("etl-warm-up");
        try {
            Path jsonl = dir.resolve("warm-up.jsonl");
            try (OutputStream out = Files.newOutputStream(jsonl)) {
                for (int from = 0; from < events; from += perChunk) {
                    out.write(lines(from, Math.min(events, from + perChunk)));
                }
            }
            InboxRun run = new InboxRun(jsonl, dir.resolve(".rejected"), chunkLines, chunkBytes, maxLineBytes,
                    Long.MAX_VALUE, Runnable::run);
            long clientLines = 0;
            try (InputStream in = Files.newInputStream(jsonl)) {
                Iterator<InboxRun.Read> chunks = run.chunks(in);
                while (chunks.hasNext()) {
                    InboxRun.Read read = chunks.next();
                    clientLines += read.lines().size();
                    stages.request(run.validate(read).body());
                }
            }
            return stages.done(clientLines);
        } finally {
            deleteAll(dir);
        }
    }

    /** The server's and the processor's stages, as the roles ask for them, one request body at a time. */
    private static final class Stages {
        private final boolean server;
        private final boolean processor;
        private final UserSums sums = new UserSums();
        private long serverEvents;
        private long processorEvents;
        private int requests;

        Stages(Set<String> roles) {
            processor = roles.contains(Roles.PROCESSOR);
            // a processor's spool lines are written by the server's code: made here in either role
            server = processor || roles.contains(Roles.SERVER);
        }

        void request(byte[] body) throws IOException {
            if (!server) {
                return;
            }
            RequestParser.Parsed parsed = RequestParser.parse(body, JSON_LINES);
            serverEvents += parsed.events().size();
            byte[] line = SpoolRecord.line("warm-up-" + requests++, parsed.events());
            if (!processor) {
                return;
            }
            ExecutorService reader = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "jit-warm-up-reader");
                t.setDaemon(true);
                return t;
            });
            try (ReadAhead lines = new ReadAhead(new ByteArrayInputStream(line), reader)) {
                while (lines.hasNext()) {
                    SpoolRecord record = lines.next().record();
                    if (record != null) {
                        sums.add(record);
                        processorEvents += record.events().size();
                    }
                }
            } finally {
                reader.shutdownNow();
            }
        }

        Done done(long clientLines) {
            long rows = processor ? BatchRehearsal.run((int) Math.min(serverEvents, MAX_REHEARSED_USERS)) : 0;
            return new Done(clientLines, serverEvents, processorEvents, processor ? sums.users().length : 0, rows);
        }
    }

    /**
     * The processor's rehearsal ({@link BatchRehearsal}) has batches of as many users as there were events, at most
     * this many: cold, 316,000 ids took {@link UserOrder} 325 ms against 60-110 warm, and the first batch of a large
     * file is all new users. Its batch's columns take about 10 MB (a processor-only process runs with 96 MB).
     */
    private static final int MAX_REHEARSED_USERS = 100_000;

    /**
     * Lines {@code from} to {@code to} (exclusive) of the synthetic events, as clients write them: 1,000 users, added
     * and subtracted, whole and with cents, in the order of keys of the original systems' files.
     */
    static byte[] lines(int from, int to) {
        StringBuilder s = new StringBuilder((to - from) * 64);
        for (int i = from; i < to; i++) {
            long value = (i * 7919L) % 100_000 + 1;
            s.append("{\"userId\":\"warm-up-").append(i % 1000).append("\",\"name\":\"")
                    .append(i % 3 == 0 ? "subtract_revenue" : "add_revenue").append("\",\"value\":");
            if (i % 2 == 0) {
                s.append(value / 100).append('.').append(value % 100 / 10).append(value % 10);
            } else {
                s.append(value);
            }
            s.append("}\n");
        }
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void deleteAll(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            LOG.debug("JIT warm-up: its temporary folder {} was not deleted: {}", dir, e.toString());
        }
    }
}
