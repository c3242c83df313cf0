package etl.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.camel.CamelContext;
import org.apache.camel.api.management.ManagedCamelContext;
import org.apache.camel.api.management.mbean.ManagedRouteMBean;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A batch takes no further outbox file once its sums hold {@code etl.processor.batch-memory} bytes: here 1 byte, so
 * that each batch takes one file (the first whatever it holds), and the files it did not take wait in the outbox,
 * unopened and unclaimed, for the batches that follow at once. Every event is applied exactly once all the same, and
 * a garbage body at the door keeps nothing.
 */
@CamelMainTest(useJmx = true, properties = {
        "camel.server.port=" + Http.PORT,
        "camel.management.port=" + Http.MANAGEMENT_PORT,
        "etl.server.url=" + Http.BASE,
        "etl.inbox.dir=" + BatchMemoryTest.DIR + "/inbox",
        "etl.outbox.dir=" + BatchMemoryTest.DIR + "/outbox",
        "etl.db.embedded-dir=target/it/pg",
        "etl.processor.poll-ms=100",
        "etl.processor.batch-memory=1",
        "etl.spool.segment-millis=0"
})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BatchMemoryTest {

    static final String DIR = "target/it-batch-memory";

    @org.apache.camel.BeanInject
    private CamelContext context;

    private static List<Path> spooled(String folder) throws Exception {
        Path dir = Path.of(DIR, "outbox", folder);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList();
        }
    }

    @Test
    void aBatchWhoseSumsHoldTheBoundLeavesTheRestToTheNextAndEveryEventIsAppliedOnce() throws Exception {
        String tag = java.util.UUID.randomUUID().toString().substring(0, 8);
        String[] odd = {"\uFEFFbom", "emoji\uD83D\uDE00", "tab\\tand\\\"quote", "x".repeat(240)};
        List<String> users = new ArrayList<>();
        context.getRouteController().stopRoute("outbox-processor");
        List<Path> before = spooled("");
        for (int f = 0; f < 3; f++) {
            StringBuilder body = new StringBuilder("[");
            for (int u = 0; u < odd.length; u++) {
                String id = odd[u] + "-" + f + "-" + tag;
                users.add(id.replace("\\t", "\t").replace("\\\"", "\""));
                body.append(u > 0 ? "," : "").append("{\"userId\":\"").append(id)
                        .append("\",\"name\":\"add_revenue\",\"value\":").append(f + 1).append(".25}");
            }
            // one at a time: each 200 is its own outbox file (etl.spool.segment-millis=0: a segment sealed at once)
            assertEquals(200, Http.post(body.append(']').toString(), "Authorization", "secret").status());
        }
        // garbage at the door (a BOM, NUL, invalid UTF-8, a lone surrogate's bytes, deep nesting) keeps nothing
        byte[] garbage = ("\uFEFF[{\"userId\":\"g-" + tag + "\u0000\",\"name\":\"add_revenue\",\"value\":1},"
                + "[".repeat(3000)).getBytes(StandardCharsets.UTF_8);
        byte[] withBadBytes = new byte[garbage.length + 4];
        System.arraycopy(garbage, 0, withBadBytes, 0, garbage.length);
        withBadBytes[garbage.length] = (byte) 0xFF;
        withBadBytes[garbage.length + 1] = (byte) 0xED;
        withBadBytes[garbage.length + 2] = (byte) 0xA0;
        withBadBytes[garbage.length + 3] = (byte) 0x80;
        assertEquals(400, Http.post(withBadBytes, "Authorization", "secret").status());
        List<Path> waiting = new ArrayList<>(spooled(""));
        waiting.removeAll(before);
        assertEquals(3, waiting.size(), "three requests, three outbox files: " + waiting);

        // (route outbox-batch is called by outbox-processor: its MBean counts its exchanges, NotifyBuilder would not)
        ManagedRouteMBean batch = context.getCamelContextExtension().getContextPlugin(ManagedCamelContext.class)
                .getManagedRoute("outbox-batch");
        long completed = batch.getExchangesCompleted();
        long failed = batch.getExchangesFailed();
        context.getRouteController().startRoute("outbox-processor");
        Waits.until("the outbox applied", 30_000, () -> spooled("").isEmpty());
        for (int i = 0; i < users.size(); i++) {
            Waits.revenue(users.get(i), ((i / odd.length) + 1) + ".25", 10_000);
        }
        NotifyBuilder looks = new NotifyBuilder(context).fromRoute("outbox-processor").whenCompleted(5).create();
        assertTrue(looks.matches(15, TimeUnit.SECONDS), "the processor did not look at the outbox again");
        assertEquals(3, batch.getExchangesCompleted() - completed, "three batches of one file each, and no other");
        assertEquals(0, batch.getExchangesFailed() - failed, "a batch failed");
        assertEquals(List.of(), spooled(""), "the outbox is empty");
        List<String> done = spooled(".done").stream().map(p -> p.getFileName().toString()).toList();
        for (Path p : waiting) {
            assertTrue(done.contains(p.getFileName().toString()), p + " moved to .done/");
        }
        assertEquals(404, Http.get("g-" + tag + "\u0000").status());
    }
}
