package etl.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The archive of applied files (outbox/.done/) has a retention, by age and by size; readiness reports a disk with
 * too little free space (a full disk used to stay UP: its check only created an empty file).
 */
@CamelMainTest(useJmx = true, properties = {
        "camel.server.port=" + Http.PORT,
        "camel.management.port=" + Http.MANAGEMENT_PORT,
        "etl.server.url=" + Http.BASE,
        "etl.inbox.dir=" + ArchiveAndDiskTest.DIR + "/inbox",
        "etl.outbox.dir=" + ArchiveAndDiskTest.DIR + "/outbox",
        "etl.db.embedded-dir=target/it/pg",
        "etl.processor.poll-ms=100",
        "etl.keys.purge-delay-ms=300",
        "etl.keys.purge-period-ms=300",
        "etl.archive.retention-days=7",
        "etl.archive.max-bytes=300000",
        // more than any disk has: readiness must say the disk is short of space
        "etl.outbox.min-free-bytes=" + Long.MAX_VALUE
})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ArchiveAndDiskTest {

    static final String DIR = "target/it-archive";

    @Test
    void oldAndExcessArchiveFilesAreRemovedRecentOnesKept() throws Exception {
        Path done = Files.createDirectories(Path.of(DIR, "outbox", ".done"));
        try (var earlier = Files.list(done)) { // an earlier run's archive
            for (Path p : earlier.toList()) {
                Files.deleteIfExists(p);
            }
        }
        long now = System.currentTimeMillis();
        long day = 86_400_000L;
        Path old = Files.writeString(done.resolve(String.format("%013d-t-000001.jsonl", now - 8 * day)), "x\n");
        byte[] kb100 = new byte[100_000];
        Path[] recent = new Path[4];
        for (int i = 0; i < 4; i++) {
            recent[i] = Files.write(done.resolve(String.format("%013d-t-%06d.jsonl", now - (4 - i) * 60_000L, i + 2)),
                    kb100);
        }
        Waits.until("retention", 10_000, () -> !Files.exists(old) && !Files.exists(recent[0]));
        // 300,000 bytes at most: the three newest stay
        for (int i = 1; i < 4; i++) {
            assertTrue(Files.exists(recent[i]), recent[i].toString());
        }
        // an event still goes through and its file is archived
        String u = "archive-" + now;
        assertEquals(200, Http.post("{\"userId\":\"" + u + "\",\"name\":\"add_revenue\",\"value\":1}",
                SystemTestBase.AUTH, SystemTestBase.TOKEN).status());
        Waits.revenue(u, "1", 5000);
    }

    @Test
    void readinessSaysTheDiskIsShortOfSpace() throws Exception {
        HttpResponse<String> ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + Http.MANAGEMENT_PORT + "/observe/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(503, ready.statusCode(), ready.body());
        assertTrue(ready.body().contains("outbox"), ready.body());
    }
}
