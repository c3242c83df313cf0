package etl.it;

import static etl.it.SystemTestBase.AUTH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import org.junit.jupiter.api.Test;

/**
 * Each failure measured on the original systems (STACK.md, last section) as a test. The kill -9 cases (acknowledged
 * events lost, events counted twice after a restart) are in {@link RestartTest}.
 */
class OriginalSystemsRegressionTest extends SystemTestBase {

    private static String ev(String user, String name, String value) {
        return InboxTest.ev(user, name, value);
    }

    @Test
    void valueSentAsAStringIsRefusedNotConcatenated() throws Exception {
        String u = user("str");
        assertEquals(200, Http.post(ev(u, "add_revenue", "10"), AUTH, TOKEN).status());
        Http.Reply r = Http.post(ev(u, "add_revenue", "\"5\""), AUTH, TOKEN);
        assertEquals(400, r.status());
        Waits.revenue(u, "10", 5000);
    }

    @Test
    void missingValueIsRefusedAndTheTotalStaysANumber() throws Exception {
        String u = user("nan");
        String name = "nan-" + u + ".jsonl";
        InboxTest.drop(name, ev(u, "add_revenue", "4") + "\n{\"userId\":\"" + u + "\",\"name\":\"add_revenue\"}\n"
                + ev(u, "add_revenue", "1") + "\n");
        Waits.until("file done", 10000, () -> Files.exists(inbox().resolve(".done").resolve(name)));
        Waits.revenue(u, "5", 5000);
        assertTrue(Files.readString(inbox().resolve(".rejected").resolve(name + ".rejected.jsonl"))
                .contains("value is missing"));
    }

    @Test
    void missingUserIdCreatesNoUserUndefined() throws Exception {
        String before = Http.get("undefined").body();
        Http.Reply r = Http.post("{\"name\":\"add_revenue\",\"value\":3}", AUTH, TOKEN);
        assertEquals(400, r.status());
        String name = "undef-" + user("u") + ".jsonl";
        InboxTest.drop(name, "{\"name\":\"add_revenue\",\"value\":3}\n{\"userId\":null,\"name\":\"add_revenue\",\"value\":3}\n");
        Waits.until("file done", 10000, () -> Files.exists(inbox().resolve(".done").resolve(name)));
        awaitProcessorPolls();
        assertEquals(404, Http.get("undefined").status(), before);
        assertEquals(404, Http.get("null").status());
    }

    @Test
    void aMalformedLineInTheMiddleStopsNothingElse() throws Exception {
        String u = user("mid");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 3000; i++) {
            sb.append(i == 1500 ? "{\"userId\":\"" + u + "\",\"name\":\"add_revenue\",\"value\":1" : ev(u, "add_revenue", "1"))
                    .append('\n');
        }
        String name = "mid-" + u + ".jsonl";
        InboxTest.drop(name, sb.toString());
        Waits.until("file done", 15000, () -> Files.exists(inbox().resolve(".done").resolve(name)));
        Waits.revenue(u, "2999", 5000);
    }

    @Test
    void anUnreadableOutboxLineSkipsOnlyThatLine() throws Exception {
        // A torn line can only come from a crash before the 200; the processor applies the rest of the file.
        String u = user("torn");
        String good = "{\"key\":null,\"events\":[" + ev(u, "add_revenue", "2") + "]}\n";
        Path tmp = Files.createTempFile(Path.of("target"), "outbox", ".part");
        Files.writeString(tmp, good + "{\"key\":null,\"events\":[{\"userId\":\"" + u + "\",\"na\n" + good);
        String name = "0000000000000-test-" + u + ".jsonl";
        Files.move(tmp, outbox().resolve(name), StandardCopyOption.ATOMIC_MOVE);
        Waits.revenue(u, "4", 5000);
        String rejected = Files.readString(outbox().resolve(".rejected").resolve(name + ".rejected.jsonl"));
        assertTrue(rejected.startsWith("{\"line\":2,\"reason\":"), rejected);
    }

    @Test
    void aCorruptedOutboxLineIsNeverApplied() throws Exception {
        // A spool line whose bytes changed on disk (one digit: still a well-formed line, still a valid event) fails its
        // checksum, in either form: it is kept in .rejected/ with the reason, and the file's other lines are applied.
        String u = user("flip");
        java.util.List<etl.event.Event> three = java.util.List.of(new etl.event.Event(u, etl.event.Event.ADD,
                new java.math.BigDecimal("3.00")));
        byte[] good = etl.spool.SpoolRecord.line(null, three);
        String badCompact = new String(good, java.nio.charset.StandardCharsets.UTF_8).replace("\t300\n", "\t900\n");
        String badJson = new String(etl.spool.SpoolRecord.jsonLine(null, three), java.nio.charset.StandardCharsets.UTF_8)
                .replace("\"value\":3.00", "\"value\":9.00");
        assertTrue(badCompact.startsWith("@1\t") && badCompact.endsWith("\t900\n"), badCompact);
        assertTrue(badJson.contains("\"value\":9.00"), badJson);
        Path tmp = Files.createTempFile(Path.of("target"), "outbox", ".part");
        Files.write(tmp, good);
        Files.writeString(tmp, badCompact, java.nio.file.StandardOpenOption.APPEND);
        Files.write(tmp, good, java.nio.file.StandardOpenOption.APPEND);
        Files.writeString(tmp, badJson, java.nio.file.StandardOpenOption.APPEND);
        String name = "0000000000000-flip-" + u + ".jsonl";
        Files.move(tmp, outbox().resolve(name), StandardCopyOption.ATOMIC_MOVE);
        Waits.revenue(u, "6", 5000);
        String rejected = Files.readString(outbox().resolve(".rejected").resolve(name + ".rejected.jsonl"));
        String[] kept = rejected.split("\n");
        assertEquals(2, kept.length, rejected);
        assertTrue(kept[0].startsWith("{\"line\":2,\"reason\":") && kept[0].contains("checksum"), rejected);
        assertTrue(kept[1].startsWith("{\"line\":4,\"reason\":") && kept[1].contains("checksum"), rejected);
        awaitProcessorPolls();
        Waits.revenue(u, "6", 1000);
    }

    @Test
    void anAppliedOutboxFilePutBackIsNotAppliedAgain() throws Exception {
        String u = user("replay");
        assertEquals(200, Http.post(ev(u, "add_revenue", "6"), AUTH, TOKEN).status());
        Waits.revenue(u, "6", 5000);
        Path done = outbox().resolve(".done");
        Path applied;
        try (var files = Files.list(done)) {
            applied = files.filter(f -> {
                try {
                    return Files.readString(f).contains(u);
                } catch (Exception e) {
                    return false;
                }
            }).findFirst().orElseThrow();
        }
        // as after a crash between the commit and the move: the same file is in the outbox again
        Files.copy(applied, outbox().resolve(".replay.tmp"));
        Files.move(outbox().resolve(".replay.tmp"), outbox().resolve(applied.getFileName()),
                StandardCopyOption.ATOMIC_MOVE);
        Waits.until("replayed file consumed", 5000, () -> !Files.exists(outbox().resolve(applied.getFileName())));
        awaitProcessorPolls();
        Waits.revenue(u, "6", 1000);
    }

    @Test
    void unknownUserAnswers404QuicklyNotZero() throws Exception {
        long t0 = System.nanoTime();
        Http.Reply r = Http.get(user("ghost"));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(404, r.status());
        assertTrue(ms < 2000, "took " + ms + " ms");
        assertTrue(!r.body().contains("\"revenue\""), r.body());
    }
}
