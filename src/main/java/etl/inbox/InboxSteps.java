package etl.inbox;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Executor;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

import etl.metrics.EtlMetrics;
import etl.status.WorkInProgress;

/**
 * The named steps of routes {@code inbox-client} and {@code inbox-send-chunk}. The file's {@link InboxRun} (its content
 * key, counts and quarantine) travels in the exchange property {@link #RUN}; a chunk travels in the body, with its
 * event count in header {@code etlEvents} and its key in {@code Idempotency-Key}.
 */
public final class InboxSteps {

    public static final String RUN = "etlInboxRun";

    private InboxSteps() {
    }

    /**
     * Opens a dropped file: its {@link InboxRun} in {@link #RUN} (and on the status page while it is read), and the body
     * an iterator of its chunks as read; its hash is worked out on {@code hashing} meanwhile.
     */
    public static final class Open implements Processor {
        private final Path rejectedDir;
        private final int chunkLines;
        private final long chunkBytes;
        private final int maxLineBytes;
        private final long progressMillis;
        private final WorkInProgress work;
        private final Executor hashing;

        public Open(Path rejectedDir, int chunkLines, long chunkBytes, int maxLineBytes, long progressMillis,
                WorkInProgress work, Executor hashing) {
            this.rejectedDir = rejectedDir;
            this.chunkLines = chunkLines;
            this.chunkBytes = chunkBytes;
            this.maxLineBytes = maxLineBytes;
            this.progressMillis = progressMillis;
            this.work = work;
            this.hashing = hashing;
        }

        @Override
        public void process(Exchange e) throws IOException {
            InboxRun run = new InboxRun(Path.of(e.getMessage().getHeader(Exchange.FILE_PATH, String.class)), rejectedDir,
                    chunkLines, chunkBytes, maxLineBytes, progressMillis, hashing);
            e.setProperty(RUN, run);
            work.reading(e, run);
            // the iterator reads the file as a stream (a ${body} argument in simple would load it into a String)
            e.getMessage().setBody(run.chunks(e.getMessage().getBody(InputStream.class)));
        }
    }

    /**
     * Validates a chunk as read (on the sending thread: chunks are checked in parallel) and leaves only what the
     * request needs: the valid events as the body (UTF-8 bytes), their count, and the chunk's key.
     */
    public static final class PrepareChunk implements Processor {
        private final EtlMetrics metrics;

        public PrepareChunk(EtlMetrics metrics) {
            this.metrics = metrics;
        }

        @Override
        public void process(Exchange e) throws IOException {
            InboxRun run = e.getProperty(RUN, InboxRun.class);
            InboxRun.Chunk chunk = run.validate(e.getMessage().getBody(InboxRun.Read.class));
            var message = e.getMessage();
            message.removeHeaders("*");
            message.setBody(chunk.body());
            message.setHeader("etlEvents", chunk.events());
            message.setHeader("Idempotency-Key", chunk.key());
            if (chunk.rejected() > 0) {
                metrics.rejectedInbox(chunk.rejected());
            }
        }
    }

    /** The server's answer to a chunk (unmarshalled JSON): counted as accepted, or as applied before. */
    public static final class ChunkSent implements Processor {
        @Override
        public void process(Exchange e) {
            Map<?, ?> answer = e.getMessage().getBody(Map.class);
            e.getProperty(RUN, InboxRun.class).sent(e.getMessage().getHeader("etlEvents", Integer.class),
                    answer != null && Boolean.TRUE.equals(answer.get("duplicate")));
        }
    }
}
